import Foundation

/// A model folder's own detection operating point, `detection_defaults.json` (optional): the
/// prompt template the model was trained with, the thresholds chosen for it, whether
/// containment suppression follows NMS and whether its boxes are refined (snapped to the object
/// GrabCut finds around them). A detector
/// starts from its family's defaults and applies these on top; flags the user gives still win.
///
/// ```swift
/// import CLIP
/// // models/shapes-owl/detection_defaults.json:
/// // {"template": "a photo of a {}.", "confidence": 0.35, "iou_threshold": 0.3, "containment": true,
/// //  "cross_class_score_ratio": 0.9, "refine": true, "refine_long_side": 64}
/// let defaults = try DetectionDefaults.load(folder: URL(fileURLWithPath: "models/shapes-owl"))
/// print(defaults?.confidence ?? 0.1, defaults?.refine ?? false)   // 0.35 true
/// ```
///
/// Why a file of its own: transformers rewrites `config.json` on `save_pretrained`, and the
/// prompt and thresholds are properties of how a checkpoint was trained and chosen (a project-
/// trained detector learns with "a photo of a {}." and its own score calibration), not of the
/// architecture. Every key is optional; unknown keys (e.g. `"chosen_by"`) are ignored.
///
/// Postconditions of `load`: `template` contains `{}`, `confidence` is in [0, 1],
/// `iouThreshold` in (0, 1], `crossClassScoreRatio` in (0, 1] (and `containment` true) and
/// `refineLongSide` at least 16 (and `refine` true) when present.
public struct DetectionDefaults: Codable, Equatable, Sendable {
    /// The file name looked for in a model folder.
    public static let fileName = "detection_defaults.json"

    /// Prompt template; `{}` is replaced by the class name.
    public var template: String?
    /// Score a detection must reach.
    public var confidence: Float?
    /// NMS IoU threshold.
    public var iouThreshold: Float?
    /// Whether containment suppression follows NMS (the detection library's
    /// `ContainmentSuppression`: other-class overlaps, loose boxes, fragments).
    public var containment: Bool?
    /// Only with `containment` true: an overlapping box of another class goes only when it scores
    /// at most this share of the kept box (`ContainmentSuppression.crossClassScoreRatio`, (0, 1];
    /// its default 1 when absent).
    public var crossClassScoreRatio: Float?
    /// Whether each reported box snaps to the extent of the object GrabCut finds around it
    /// (the detection library's `BoxRefiner`).
    public var refine: Bool?
    /// Only with `refine` true: the long side, in pixels, of the copy of each box's window GrabCut
    /// runs on (`BoxRefiner.longSide`; its default when absent). Smaller is faster and coarser.
    public var refineLongSide: Int?

    enum CodingKeys: String, CodingKey {
        case template, confidence, containment, refine
        case iouThreshold = "iou_threshold"
        case crossClassScoreRatio = "cross_class_score_ratio"
        case refineLongSide = "refine_long_side"
    }

    public init(template: String? = nil, confidence: Float? = nil, iouThreshold: Float? = nil, containment: Bool? = nil,
                crossClassScoreRatio: Float? = nil, refine: Bool? = nil, refineLongSide: Int? = nil) {
        self.template = template
        self.confidence = confidence
        self.iouThreshold = iouThreshold
        self.containment = containment
        self.crossClassScoreRatio = crossClassScoreRatio
        self.refine = refine
        self.refineLongSide = refineLongSide
    }

    /// What makes the values unusable, one phrase each (empty when they are fine).
    public var problems: [String] {
        var found: [String] = []
        if let template, !template.contains("{}") { found.append("\"template\" must contain {} (where the class name goes)") }
        if let confidence, !(confidence >= 0 && confidence <= 1) { found.append("\"confidence\" must be in [0, 1], got \(confidence)") }
        if let iouThreshold, !(iouThreshold > 0 && iouThreshold <= 1) { found.append("\"iou_threshold\" must be in (0, 1], got \(iouThreshold)") }
        if let crossClassScoreRatio {
            if !(crossClassScoreRatio > 0 && crossClassScoreRatio <= 1) {
                found.append("\"cross_class_score_ratio\" must be in (0, 1], got \(crossClassScoreRatio)")
            }
            if containment != true { found.append("\"cross_class_score_ratio\" applies only with \"containment\": true") }
        }
        if let refineLongSide {
            if refineLongSide < 16 { found.append("\"refine_long_side\" must be at least 16 pixels, got \(refineLongSide)") }
            if refine != true { found.append("\"refine_long_side\" applies only with \"refine\": true") }
        }
        return found
    }

    /// The folder's `detection_defaults.json`, or nil when the folder has none.
    /// - Throws: `CLIPError` naming the file when it is unreadable, not JSON, mistyped, or out of range.
    public static func load(folder: URL) throws -> DetectionDefaults? {
        let url = folder.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try JSONConfigFile.load(DetectionDefaults.self, from: url, what: "the model's detection defaults") { $0.problems }
    }
}
