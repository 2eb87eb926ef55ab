import CLIP
import COpenCV
import Imaging

/// OpenCV contrib's selective search (`ximgproc::segmentation`), boxes only.
///
/// ```swift
/// let boxes = try SelectiveSearch.boxes(in: small)            // fast mode
/// let more = try SelectiveSearch.boxes(in: small, quality: true)
/// ```
///
/// Cost grows faster than the pixel count (fast mode on this machine: ~0.2 s at 200 px long
/// side, ~1.2–1.9 s at 500 px), so callers run it on a downscaled copy:
/// `boxes(in:longSide:quality:)` (used by `ProposalGenerator`). The result is deterministic: the shim seeds the `rand()` OpenCV ranks regions
/// with, and serialises concurrent calls.
public enum SelectiveSearch {
    /// The boxes in OpenCV's output order (its randomised rank, mostly small regions first;
    /// exact duplicates already removed), in pixels of `image`: `x1 = x`, `x2 = x + width`.
    ///
    /// - Parameter quality: OpenCV's quality mode (5 colour spaces, 5 segmentation scales,
    ///   4 strategies: several times slower, more boxes) instead of fast mode (2, 3, 2).
    /// - Throws: `DetectionError` when OpenCV fails (for example out of memory).
    /// The boxes of a copy of `image` whose long side is at most `longSide` (the image itself
    /// when it is no larger), scaled back to pixels of `image` (not rounded).
    /// - Throws: what resizing or `boxes(in:quality:)` throws.
    public static func boxes(in image: RGBImage, longSide: Int, quality: Bool = false) throws -> [Box] {
        let side = max(image.width, image.height)
        guard side > longSide else { return try boxes(in: image, quality: quality) }
        let shrink = Double(longSide) / Double(side)
        let small = try image.resized(width: max(1, Int((Double(image.width) * shrink).rounded())),
                                      height: max(1, Int((Double(image.height) * shrink).rounded())))
        let sx = Float(image.width) / Float(small.width)
        let sy = Float(image.height) / Float(small.height)
        return try boxes(in: small, quality: quality).map { b in
            Box(x1: b.x1 * sx, y1: b.y1 * sy, x2: b.x2 * sx, y2: b.y2 * sy)
        }
    }

    public static func boxes(in image: RGBImage, quality: Bool = false) throws -> [Box] {
        var rects: UnsafeMutablePointer<cd_rect>?
        var count = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            message.withUnsafeMutableBufferPointer { text in
                cd_selective_search(pixels.baseAddress, Int32(image.width), Int32(image.height), quality ? 1 : 0,
                                    &rects, &count, text.baseAddress, text.count)
            }
        }
        defer { cd_rects_free(rects) }
        guard status == CD_OK else {
            let detail = String(shimMessage: message)
            throw DetectionError("selective search failed on a \(image.width)x\(image.height) image: \(detail)")
        }
        guard let rects, count > 0 else { return [] }
        return UnsafeBufferPointer(start: rects, count: count).map { r in
            Box(x1: Float(r.x), y1: Float(r.y), x2: Float(r.x + r.width), y2: Float(r.y + r.height))
        }
    }
}
