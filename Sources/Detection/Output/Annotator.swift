import CLIP
import Foundation
import Imaging

/// Draws detections on an image: a box per detection in its class colour, and a filled label
/// "person 0.87" (plus " #3" with a track id) in the same colour, its text black or white
/// whichever reads better on that colour.
///
/// ```swift
/// let drawn = Annotator().draw(detections, on: image)
/// try ImageWriter.write(drawn, to: "street_boxes.jpg")
/// ```
///
/// Layout: the label sits on top of the box, left-aligned with it; when there is no room above
/// (a box touching the top edge) it goes just inside the box. Boxes and labels are clamped to
/// the image. All boxes are drawn before any label, so no box line crosses a label, and the list
/// is drawn back to front, so the first detection (usually the best score) ends up on top.
/// Text is drawn with one outline font for all labels of an image (`font`, or fontconfig's pick
/// covering every label), at the size OpenCV's Hershey font had; with no such font installed,
/// in Hershey with non-ASCII characters as "?" (see ``TextFace``).
public struct Annotator: Sendable {
    /// Box line width in pixels; nil picks one from the image size.
    public var lineWidth: Int?
    /// Label text scale (1 ≈ 22 px capitals); nil picks one from the line width.
    public var fontScale: Double?
    /// Label font; nil: the installed font fontconfig picks for the labels.
    public var font: OutlineFont?

    /// 20 colours chosen to be told apart at a glance (after Sasha Trubetskoy's list of
    /// distinct colours, without the near-white beige), indexed by `classId % 20`.
    public static let palette: [(r: UInt8, g: UInt8, b: UInt8)] = [
        (230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200), (245, 130, 48),
        (145, 30, 180), (70, 240, 240), (240, 50, 230), (210, 245, 60), (250, 190, 212),
        (0, 128, 128), (220, 190, 255), (170, 110, 40), (100, 70, 255), (128, 0, 0),
        (170, 255, 195), (128, 128, 0), (255, 215, 180), (0, 0, 128), (128, 128, 128),
    ]

    /// - Parameters:
    ///   - lineWidth: box line width in pixels (≥ 1); nil: 0.3% of the mean side, at least 2
    ///     (2 px for 640×480, 6 px for 1920×1080).
    ///   - fontScale: label scale (> 0); nil: a third of the line width, at least 0.5.
    ///   - font: label font; nil: the installed font fontconfig picks for the labels.
    public init(lineWidth: Int? = nil, fontScale: Double? = nil, font: OutlineFont? = nil) {
        self.lineWidth = lineWidth
        self.fontScale = fontScale
        self.font = font
    }

    /// The colour of class `classId` (any integer; negative ids wrap around too).
    public static func color(forClass classId: Int) -> (r: UInt8, g: UInt8, b: UInt8) {
        let n = palette.count
        return palette[((classId % n) + n) % n]
    }

    /// Black or white, whichever contrasts more with `color` (Rec. 601 luma against mid-grey).
    public static func textColor(on color: (r: UInt8, g: UInt8, b: UInt8)) -> (r: UInt8, g: UInt8, b: UInt8) {
        let luma = 0.299 * Double(color.r) + 0.587 * Double(color.g) + 0.114 * Double(color.b)
        return luma >= 140 ? (0, 0, 0) : (255, 255, 255)
    }

    /// The label text of `detection`: "label 0.87", plus " #id" when it has a track id.
    public static func labelText(for detection: Detection) -> String {
        let score = String(format: "%.2f", Double(detection.score))
        return "\(detection.label) \(score)" + (detection.trackId.map { " #\($0)" } ?? "")
    }

    /// A copy of `image` with `detections` drawn on it; an empty list returns `image` unchanged.
    /// Detections whose box has a non-finite coordinate are skipped.
    public func draw(_ detections: [Detection], on image: RGBImage) -> RGBImage {
        guard !detections.isEmpty else { return image }
        let width = image.width
        let height = image.height
        let drawable = detections.reversed().compactMap { d -> (Detection, PixelRect)? in
            PixelRect(d.box, width: width, height: height).map { (d, $0) }
        }
        let style = style(width: width, height: height, labels: drawable.map { Self.labelText(for: $0.0) })
        var canvas = Canvas(image: image)
        canvas.face = style.face
        for (detection, rect) in drawable {
            canvas.stroke(rect, color: Self.color(forClass: detection.classId), thickness: style.line)
        }
        for (detection, rect) in drawable {
            let text = Self.labelText(for: detection)
            guard let place = placeLabel(text, above: rect, style: style, width: width, height: height) else { continue }
            let color = Self.color(forClass: detection.classId)
            canvas.fill(place.frame, color: color)
            canvas.text(text, x: place.frame.left + style.padding, baseline: place.baseline, scale: style.scale,
                        thickness: style.thickness, color: Self.textColor(on: color))
        }
        return canvas.image
    }

    /// Where ``draw(_:on:)`` paints the label of each detection on a `width`×`height` image, in
    /// the order of `detections`; nil for a detection it skips.
    ///
    /// ```swift
    /// let frames = Annotator().labelBoxes(for: detections, width: image.width, height: image.height)
    /// ```
    public func labelBoxes(for detections: [Detection], width: Int, height: Int) -> [PixelRect?] {
        guard width > 0, height > 0 else { return detections.map { _ in nil } }
        let rects = detections.map { PixelRect($0.box, width: width, height: height) }
        let style = style(width: width, height: height,
                          labels: zip(detections, rects).compactMap { $1 == nil ? nil : Self.labelText(for: $0) })
        return zip(detections, rects).map { detection, rect in
            rect.flatMap { placeLabel(Self.labelText(for: detection), above: $0, style: style, width: width, height: height)?.frame }
        }
    }

    /// Sizes for one image: box line width, text scale and thickness (Hershey's parameters, see
    /// ``TextFace``), label padding, and the one face all its labels share.
    private struct Style {
        let line: Int
        let scale: Double
        let thickness: Int
        let padding: Int
        let face: TextFace
    }

    private func style(width: Int, height: Int, labels: [String]) -> Style {
        let line = max(1, lineWidth ?? max(2, Int((Double(width + height) / 2 * 0.003).rounded())))
        let scale = fontScale.map { max($0, 0.05) } ?? max(0.5, Double(line) / 3)
        return Style(line: line, scale: scale, thickness: max(1, Int((scale * 1.5).rounded())), padding: max(2, line),
                     face: TextFace.covering(labels, preferred: font))
    }

    /// The label's filled rectangle and text baseline: on top of the box, left-aligned with it,
    /// inside it when there is no room above, shifted into the image.
    private func placeLabel(_ text: String, above box: PixelRect, style: Style, width: Int,
                            height: Int) -> (frame: PixelRect, baseline: Int)? {
        guard let size = style.face.size(text, scale: style.scale, thickness: style.thickness) else { return nil }
        let labelWidth = size.width + 2 * style.padding
        let labelHeight = size.height + size.baseline + 2 * style.padding
        var top = box.top - labelHeight
        if top < 0 { top = box.top }
        top = max(0, min(top, height - labelHeight))
        let left = max(0, min(box.left, width - labelWidth))
        return (PixelRect(x: left, y: top, width: labelWidth, height: labelHeight), top + style.padding + size.height)
    }
}
