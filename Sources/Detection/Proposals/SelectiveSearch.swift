import CLIP
import COpenCV

/// OpenCV contrib's selective search (`ximgproc::segmentation`), boxes only.
///
/// ```swift
/// let boxes = try SelectiveSearch.boxes(in: small)            // fast mode
/// let more = try SelectiveSearch.boxes(in: small, quality: true)
/// ```
///
/// Cost grows faster than the pixel count (fast mode on this machine: ~0.2 s at 200 px long
/// side, ~1.2–1.9 s at 500 px), so callers run it on a downscaled copy; `ProposalGenerator`
/// does that. The result is deterministic: the shim seeds the `rand()` OpenCV ranks regions
/// with, and serialises concurrent calls.
public enum SelectiveSearch {
    /// The boxes in OpenCV's output order (its randomised rank, mostly small regions first;
    /// exact duplicates already removed), in pixels of `image`: `x1 = x`, `x2 = x + width`.
    ///
    /// - Parameter quality: OpenCV's quality mode (5 colour spaces, 5 segmentation scales,
    ///   4 strategies: several times slower, more boxes) instead of fast mode (2, 3, 2).
    /// - Throws: `DetectionError` when OpenCV fails (for example out of memory).
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
            let detail = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw DetectionError("selective search failed on a \(image.width)x\(image.height) image: \(detail)")
        }
        guard let rects, count > 0 else { return [] }
        return UnsafeBufferPointer(start: rects, count: count).map { r in
            Box(x1: Float(r.x), y1: Float(r.y), x2: Float(r.x + r.width), y2: Float(r.y + r.height))
        }
    }
}
