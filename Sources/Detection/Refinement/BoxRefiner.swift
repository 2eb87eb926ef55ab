import CLIP
import Dispatch
import Imaging

/// Geometric refinement of the few reported boxes: each box snaps to the extent of the object
/// GrabCut finds in a window around it.
///
/// ```swift
/// let refiner = BoxRefiner()                                   // window +30%, rect +5%, 96 px, 3 rounds, IoU ≥ 0.5
/// let tight = try refiner.refine(Box(x1: 40, y1: 35, x2: 130, y2: 120), in: image)
/// let refined = try refiner.apply(detections, in: image)       // same order, scores unchanged
/// ```
///
/// Proposals are coarse (selective search on a 200-px copy of the whole image, box voting over
/// them) and a crop classifier cannot tell a tight box from a slightly loose one (CLIP answers
/// "what is in the crop"). Refinement looks at pixels instead: the box grown by `grow` of its
/// size on every side is the window, scaled so its long side is at most `longSide`; GrabCut
/// (`GrabCut`, OpenCV) runs on it for `iterations` rounds with the box grown by `rectGrow` as
/// its rectangle (outside: background; inside: probably the object); the box becomes the
/// bounds of the largest 8-connected foreground component, when that overlaps the box by at
/// least `minIoU` (otherwise it stays). Nothing is encoded again: the score and class stay
/// those of the reported box, so it works the same for any checkpoint, text or exemplar
/// classes, and video. Boxes are refined concurrently.
///
/// Measured on examples/shapes-bench with default flags, 80 classes (AP / AP50 / AP75 with
/// pycocotools on `clipdetect eval --predictions` of the voted boxes, refined offline in
/// Python with OpenCV 5.0 unless marked Swift; chosen on the even scenes, odd checked;
/// ms per box on the loaded 2-core machine, load ~8). Boxes per object do not change.
///
///     method, window, rect, long side, rounds       even                  odd                   ms/box
///     no refinement                                 0.611 0.872 0.669     0.636 0.890 0.733
///     selective search snap (previous, 64 px)       0.679 0.872 0.799     0.668 0.898 0.795      78
///     GrabCut 0.5, 0.10, full size, 3                0.793 0.867 0.806     0.831 0.883 0.866    261
///     GrabCut 0.3, 0.05, full size, 3                0.801 0.872 0.808     0.860 0.898 0.877    189
///     GrabCut 0.5, 0.20, full size, 3                0.728 0.863 0.705     0.745 0.867 0.716    258
///     GrabCut 0.2 / 0.3 / 0.4, 0.00, full size, 3    0.740 / 0.749 / 0.750  (AP, even)          160–270
///     GrabCut 0.2 / 0.3 / 0.4, 0.10, full size, 3    0.769 / 0.770 / 0.787  (AP, even)          180–230
///     GrabCut 0.3, 0.05, 128 px, 3                   0.800 0.872 0.808     0.856 0.894 0.873     35
///     GrabCut 0.3, 0.05,  96 px, 3 (chosen)          0.801 0.872 0.811     0.862 0.894 0.879     25
///     GrabCut 0.3, 0.05,  64 px, 3 / 2 / 5 rounds    0.789 / 0.774 / 0.789  (AP, even)        14 / 11 / 18
///     GrabCut 0.3, 0.05,  48 px, 3                   0.775 0.872 0.814                           8
///     chosen, Swift (this type)                      0.801 0.872 0.811     0.862 0.894 0.879
///
/// All 60 scenes, Swift: AP 0.813, AP50 0.863, AP75 0.827 (0.603 / 0.862 / 0.671 unrefined).
/// The rectangle must hold the whole object (0.00 cuts off parts a slightly small box misses;
/// 0.20 lets background in). Time grows with the window's area, hence the 96-px copy.
/// On 20 scenes from another generator (rotated shapes on full-frame photographs, 800×600,
/// never used for choosing) AP / AP75 went 0.366 / 0.427 → 0.486 / 0.519 (selective-search snap:
/// 0.382 / 0.471), AP50 unchanged.
///
/// The one-pass detector runs it too where its model folder asks (`OWLDetector`,
/// `"refine": true`): shapes-owl's boxes on all 60 scenes, AP 0.620 → 0.774 at `longSide` 96,
/// 0.762 at 64 (its folder's `"refine_long_side": 64`, chosen by time; models/shapes-owl/README.md).
public struct BoxRefiner: Sendable, Equatable {
    /// The window around a box: each side moves out by this fraction of the box's width or height.
    public var grow: Float
    /// The GrabCut rectangle: the box with each side moved out by this fraction of its size
    /// (pixels outside it seed the background model, so it must hold the whole object).
    public var rectGrow: Float
    /// Long side, in pixels, of the copy of the window GrabCut runs on (smaller windows run at
    /// their own size).
    public var longSide: Int
    /// GrabCut rounds (colour models re-fitted, graph cut again).
    public var iterations: Int
    /// Least IoU between the box and the foreground's extent it snaps to.
    public var minIoU: Float

    public init(grow: Float = 0.3, rectGrow: Float = 0.05, longSide: Int = 96, iterations: Int = 3, minIoU: Float = 0.5) {
        self.grow = grow
        self.rectGrow = rectGrow
        self.longSide = longSide
        self.iterations = iterations
        self.minIoU = minIoU
    }

    /// Throws a one-line `DetectionError` for values out of range.
    public func validate() throws {
        guard grow > 0, grow <= 2 else { throw DetectionError("refinement grow \(grow) must be in (0, 2]") }
        guard rectGrow >= 0, rectGrow < grow else { throw DetectionError("refinement rectangle grow \(rectGrow) must be in [0, \(grow)) (inside the window)") }
        guard longSide >= 16 else { throw DetectionError("refinement window side \(longSide) must be at least 16") }
        guard (1...20).contains(iterations) else { throw DetectionError("refinement iterations \(iterations) must be in 1...20") }
        guard minIoU > 0, minIoU <= 1 else { throw DetectionError("refinement IoU \(minIoU) must be in (0, 1]") }
    }

    /// `detections` with refined boxes, same order, scores and classes. Boxes are refined
    /// concurrently, one per core at a time (GrabCut is single-threaded).
    /// - Throws: the first `DetectionError` (in detection order) when resizing or GrabCut fails.
    public func apply(_ detections: [Detection], in image: RGBImage) throws -> [Detection] {
        var boxes = detections.map { Result<Box, Error>.success($0.box) }
        boxes.withUnsafeMutableBufferPointer { slots in
            DispatchQueue.concurrentPerform(iterations: slots.count) { i in
                slots[i] = Result { try refine(detections[i].box, in: image) }
            }
        }
        var out = detections
        for i in out.indices { out[i].box = try boxes[i].get() }
        return out
    }

    /// The extent of the object GrabCut finds in the window around `box`, or `box` itself when
    /// that extent overlaps it less than `minIoU`, nothing is found, or the window is too small
    /// (a side under 8 pixels, or a rectangle side under 4 pixels in the searched copy).
    public func refine(_ box: Box, in image: RGBImage) throws -> Box {
        let gx = box.width * grow, gy = box.height * grow
        let x1 = max(0, Int((box.x1 - gx).rounded(.down))), y1 = max(0, Int((box.y1 - gy).rounded(.down)))
        let x2 = min(image.width, Int((box.x2 + gx).rounded(.up))), y2 = min(image.height, Int((box.y2 + gy).rounded(.up)))
        guard x2 - x1 >= 8, y2 - y1 >= 8 else { return box }
        var window = Self.crop(image, x: x1, y: y1, width: x2 - x1, height: y2 - y1)
        let side = max(window.width, window.height)
        if side > longSide {
            let shrink = Float(longSide) / Float(side)
            window = try window.resized(width: max(1, Int((Float(window.width) * shrink).rounded())),
                                        height: max(1, Int((Float(window.height) * shrink).rounded())))
        }
        let sx = Float(window.width) / Float(x2 - x1), sy = Float(window.height) / Float(y2 - y1)
        let rx = box.width * rectGrow, ry = box.height * rectGrow
        let left = max(0, Int(((box.x1 - rx - Float(x1)) * sx).rounded()))
        let top = max(0, Int(((box.y1 - ry - Float(y1)) * sy).rounded()))
        let right = min(window.width - 1, Int(((box.x2 + rx - Float(x1)) * sx).rounded()))
        let bottom = min(window.height - 1, Int(((box.y2 + ry - Float(y1)) * sy).rounded()))
        guard right - left >= 4, bottom - top >= 4 else { return box }
        // Columns left..<right, rows top..<bottom: at least the last column and row of the
        // window stay outside, so the background model always has pixels.
        let mask = try GrabCut.foreground(of: window, in: PixelRect(left: left, top: top, right: right - 1, bottom: bottom - 1),
                                          iterations: iterations)
        guard let r = mask.largestComponent() else { return box }
        let found = Box(x1: Float(x1) + Float(r.left) / sx, y1: Float(y1) + Float(r.top) / sy,
                        x2: Float(x1) + Float(r.right + 1) / sx, y2: Float(y1) + Float(r.bottom + 1) / sy)
        return found.iou(box) >= minIoU ? found : box
    }

    /// The pixels of `image` in columns `x ..< x + width`, rows `y ..< y + height` (inside it).
    static func crop(_ image: RGBImage, x: Int, y: Int, width: Int, height: Int) -> RGBImage {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        image.pixels.withUnsafeBufferPointer { src in
            pixels.withUnsafeMutableBufferPointer { dst in
                for row in 0..<height {
                    let from = ((y + row) * image.width + x) * 3
                    dst.baseAddress!.advanced(by: row * width * 3).update(from: src.baseAddress!.advanced(by: from), count: width * 3)
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }
}

extension DetectorOptions {
    /// `detections` after `refinement` (unchanged when it is nil), its time added to
    /// `timings.refine`: the last step of every detector family.
    func refined(_ detections: [Detection], in image: RGBImage, timings: inout StageTimings) throws -> [Detection] {
        guard let refinement else { return detections }
        let t0 = uptimeNanos()
        defer { timings.refine += secondsSince(t0) }
        return try refinement.apply(detections, in: image)
    }
}
