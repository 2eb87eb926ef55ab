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
/// Text is OpenCV's Hershey simplex font, which has ASCII glyphs only: other characters show
/// as "?".
public struct Annotator: Sendable {
    /// Box line width in pixels; nil picks one from the image size.
    public var lineWidth: Int?
    /// Label text scale (1 ≈ 22 px capitals); nil picks one from the line width.
    public var fontScale: Double?

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
    public init(lineWidth: Int? = nil, fontScale: Double? = nil) {
        self.lineWidth = lineWidth
        self.fontScale = fontScale
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
        let line = max(1, lineWidth ?? max(2, Int((Double(width + height) / 2 * 0.003).rounded())))
        let scale = fontScale.map { max($0, 0.05) } ?? max(0.5, Double(line) / 3)
        let textThickness = max(1, Int((scale * 1.5).rounded()))
        let drawable = detections.reversed().compactMap { d -> (Detection, PixelRect)? in
            PixelRect(d.box, width: width, height: height).map { (d, $0) }
        }
        var canvas = Canvas(image: image)
        for (detection, rect) in drawable {
            canvas.stroke(rect, color: Self.color(forClass: detection.classId), thickness: line)
        }
        for (detection, rect) in drawable {
            drawLabel(Self.labelText(for: detection), color: Self.color(forClass: detection.classId),
                      above: rect, scale: scale, thickness: textThickness, padding: max(2, line), on: &canvas)
        }
        return canvas.image
    }

    private func drawLabel(_ text: String, color: (r: UInt8, g: UInt8, b: UInt8), above box: PixelRect,
                           scale: Double, thickness: Int, padding: Int, on canvas: inout Canvas) {
        guard let size = canvas.measure(text, scale: scale, thickness: thickness) else { return }
        let labelWidth = size.width + 2 * padding
        let labelHeight = size.height + size.baseline + 2 * padding
        var top = box.top - labelHeight
        if top < 0 { top = box.top }
        top = max(0, min(top, canvas.height - labelHeight))
        let left = max(0, min(box.left, canvas.width - labelWidth))
        canvas.fill(PixelRect(x: left, y: top, width: labelWidth, height: labelHeight), color: color)
        canvas.text(text, x: left + padding, baseline: top + padding + size.height, scale: scale,
                    thickness: thickness, color: Self.textColor(on: color))
    }
}
