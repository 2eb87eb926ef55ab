/// Everything that shapes a detection run besides the model and the classes.
/// Defaults are documented in README.md ("Flags") with the measurement behind each.
public struct DetectorOptions: Sendable {
    /// Where candidate boxes come from.
    public var proposals = ProposalOptions()
    /// Context kept around each proposal: the square crop's side is `max(w, h) · (1 + contextMargin)`.
    /// 0.4 measured best on the shapes benchmark (`clipdetect eval`, 60 scenes): AP / AP50
    /// 0.449 / 0.757 at 0.15, 0.535 / 0.827 at 0.3, 0.566 / 0.849 at 0.4, 0.528 / 0.849 at 0.5,
    /// 0.461 / 0.789 at 0.75. Context lets CLIP see the whole object even when a proposal cuts it.
    public var contextMargin: Float = 0.4
    /// Crops encoded per batch.
    public var batchSize = 32
    /// Templates the class names are put into; several are averaged (prompt ensembling).
    public var templates = [PromptTemplates.defaultTemplate]
    /// Prompts that compete in the softmax as "nothing of interest" so a single class can be
    /// rejected. Put through the templates like classes. Empty disables background rejection.
    public var background = DetectorOptions.defaultBackground
    /// Classes that compete in the softmax but are never reported (to suppress look-alikes).
    public var negatives: [String] = []
    /// Minimum score (softmax probability) for a detection; per-class thresholds override it.
    public var confidence: Float = 0.25
    /// IoU above which NMS suppresses the lower-scored box. 0.4 measured on the shapes
    /// benchmark: AP / AP50 0.566 / 0.849 at 0.5, 0.571 / 0.859 at 0.4, 0.569 / 0.859 at 0.3.
    public var iouThreshold: Float = 0.4
    /// NMS across classes (one box per object whatever its class) instead of per class.
    public var agnosticNMS = false
    /// Most detections kept per image, best first.
    public var maxDetections = 100

    public init() {}

    /// Default background prompts.
    public static let defaultBackground = ["background", "texture", "wall", "floor", "empty scene", "blurry photo"]

    /// Throws a one-line error for values out of range.
    public func validate() throws {
        guard confidence >= 0, confidence <= 1 else { throw DetectionError("confidence \(confidence) must be in [0, 1]") }
        guard iouThreshold >= 0, iouThreshold <= 1 else { throw DetectionError("iouThreshold \(iouThreshold) must be in [0, 1]") }
        guard maxDetections >= 1 else { throw DetectionError("maxDetections \(maxDetections) must be ≥ 1") }
        guard batchSize >= 1, batchSize <= 1024 else { throw DetectionError("batchSize \(batchSize) must be 1...1024") }
        guard contextMargin >= 0, contextMargin <= 2 else { throw DetectionError("contextMargin \(contextMargin) must be in [0, 2]") }
        guard !templates.isEmpty else { throw DetectionError("no prompt template given") }
        for t in templates { try PromptTemplates.validate(t) }
    }
}
