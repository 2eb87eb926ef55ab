/// Where candidate boxes come from and how many survive, for `ProposalGenerator`.
///
/// ```swift
/// var options = ProposalOptions()
/// options.method = .windows          // no selective search
/// options.maxProposals = 100
/// let boxes = try ProposalGenerator(options: options).proposals(for: image)
/// ```
///
/// With the defaults the whole proposal step takes 0.15–0.21 s on a 640×480 photo on the 2-core
/// build machine (release build; selective search is almost all of it, see `selectiveLongSide`).
public struct ProposalOptions: Sendable, Equatable {
    /// The proposal sources. The whole image is always a proposal, whatever the method.
    public enum Method: String, Sendable, CaseIterable {
        /// Selective search only.
        case selective
        /// Sliding windows only.
        case windows
        /// Both, interleaved (see `ProposalGenerator`).
        case both
    }

    public var method: Method = .both

    /// Long side, in pixels, of the downscaled copy selective search runs on (images already
    /// smaller run at their own size). Measured in fast mode on OpenCV's `fruits.jpg` (512×480)
    /// and `messi5.jpg` (548×342): 200 px → 0.22 s / 0.15 s and 320 / 420 boxes;
    /// 256 px → 0.38 s / 0.26 s; 320 px → 0.60 s / 0.41 s; 500 px → 1.85 s / 1.20 s. 200 is the
    /// largest size that keeps proposals under ~0.3 s for a 640×480 photo, i.e. under 4% of
    /// the ~8 s spent encoding 200 crops.
    public var selectiveLongSide = 200

    /// OpenCV's quality mode instead of fast mode (roughly 4× slower, more boxes).
    public var selectiveQuality = false

    /// Window sides as fractions of the image's shorter side, for a square window; other
    /// aspects keep the same area. Listed coarse to fine: that is the order windows are used in.
    public var windowScales: [Double] = [0.75, 0.5, 0.35, 0.25]

    /// Window aspect ratios (width / height): square, landscape, portrait.
    public var windowAspects: [Double] = [1, 2, 0.5]

    /// Overlap of neighbouring windows along each axis, in [0, 1): 0.5 moves by half a window.
    public var windowOverlap = 0.5

    /// Boxes with a side shorter than this (pixels of the original image) are dropped: CLIP sees
    /// little more than blur in them once upscaled to 224×224.
    public var minSide: Double = 20

    /// A box whose IoU with an already kept box is at least this is a near duplicate and dropped.
    public var duplicateIoU: Double = 0.9

    /// Most proposals returned (the cap on crops encoded per image).
    public var maxProposals = 200

    public init() {}

    /// Throws `DetectionError` naming the first option out of range.
    public func validate() throws {
        guard maxProposals >= 1 else { throw DetectionError("proposal cap \(maxProposals) must be at least 1") }
        guard selectiveLongSide >= 16 else {
            throw DetectionError("selective search size \(selectiveLongSide) must be at least 16 pixels")
        }
        guard !windowScales.isEmpty, windowScales.allSatisfy({ $0 > 0 && $0 <= 1 }) else {
            throw DetectionError("window scales \(windowScales) must be non-empty fractions in (0, 1]")
        }
        guard !windowAspects.isEmpty, windowAspects.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw DetectionError("window aspects \(windowAspects) must be non-empty and positive")
        }
        guard windowOverlap >= 0, windowOverlap < 1 else {
            throw DetectionError("window overlap \(windowOverlap) must be in [0, 1)")
        }
        guard minSide >= 0, minSide.isFinite else { throw DetectionError("minimum box side \(minSide) must be ≥ 0") }
        guard duplicateIoU > 0, duplicateIoU <= 1 else {
            throw DetectionError("duplicate IoU \(duplicateIoU) must be in (0, 1]")
        }
    }
}
