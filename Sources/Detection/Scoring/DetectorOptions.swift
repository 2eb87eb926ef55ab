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
    /// 0.35 with `temperature` 2 and containment suppression, chosen on the even scenes of the
    /// shapes benchmark (see `ContainmentSuppression` and README "One box per object"):
    /// boxes per object / precision / recall at IoU 0.5 on even, odd scenes
    ///
    ///     temperature, confidence, suppression      even              odd
    ///     1, 0.25, NMS (before)                     4.11 0.22 0.90    4.74 0.19 0.92
    ///     1, 0.25, containment                      1.89 0.44 0.83    2.09 0.40 0.85
    ///     2, 0.25, containment                      1.52 0.57 0.87    1.45 0.59 0.86
    ///     2, 0.35, NMS                              2.09 0.43 0.91    1.97 0.46 0.91
    ///     2, 0.35, containment (chosen)             1.31 0.67 0.87    1.15 0.74 0.85
    ///     2.5, 0.30, containment                    1.21 0.71 0.85    1.06 0.80 0.85
    ///     3, 0.30, containment                      0.94 0.84 0.79    0.87 0.91 0.79
    public var confidence: Float = 0.35
    /// Divides the logits before the softmax (`softmax(logit_scale · cos / temperature)`).
    /// CLIP's learned scale makes a crop's best class saturate at 1.00 whether the box is tight
    /// or loose; at 2 the score keeps the margin between classes, which ranks boxes better for
    /// NMS and containment suppression and lets `confidence` cut the unsure ones (table above).
    /// 1 gives CLIP's own probabilities.
    public var temperature: Float = 2
    /// Applied after per-class NMS: removes overlapping boxes of other classes, loose boxes
    /// around a tighter one and same-class fragments (`ContainmentSuppression`). `nil` leaves
    /// NMS's output as it is (torchvision-exact `batched_nms` / `nms`). The OWL family's defaults
    /// (`OWLDetector.defaultOptions`) set it to `nil` unless the model folder asks for it.
    public var containment: ContainmentSuppression? = ContainmentSuppression()
    /// Each reported box becomes the score-weighted mean of the same-class candidates (boxes
    /// above the threshold) overlapping it by at least this IoU (`BoxVoting`, measured there:
    /// AP 0.562 → 0.611 and AP75 0.610 → 0.669 on the even scenes). `nil` reports boxes as
    /// proposed.
    public var boxVotingIoU: Float? = 0.5
    /// Last step: each reported box snaps to the extent of the object GrabCut finds around it
    /// (`BoxRefiner`, measured there). `nil` reports the voted boxes. The OWL family's defaults
    /// (`OWLDetector.defaultOptions`) set it to `nil` unless the model folder asks for it.
    public var refinement: BoxRefiner? = BoxRefiner()
    /// IoU above which NMS suppresses the lower-scored box of the same class. Measured on the
    /// shapes benchmark, before temperature and containment: AP / AP50 0.566 / 0.849 at 0.5,
    /// 0.571 / 0.859 at 0.4, 0.569 / 0.859 at 0.3. With them (even / odd scenes, AP50, boxes
    /// per object, precision, recall): 0.4 → 0.872 1.31 0.67 0.87 / 0.890 1.15 0.74 0.85;
    /// 0.3 (chosen) → 0.872 1.27 0.69 0.87 / 0.890 1.12 0.76 0.85; 0.25 → 0.872 1.28 0.68 0.87.
    public var iouThreshold: Float = 0.3
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
        guard temperature > 0, temperature.isFinite else { throw DetectionError("temperature \(temperature) must be > 0") }
        try containment?.validate()
        if let v = boxVotingIoU, !(v > 0 && v <= 1) { throw DetectionError("boxVotingIoU \(v) must be in (0, 1]") }
        try refinement?.validate()
        guard maxDetections >= 1 else { throw DetectionError("maxDetections \(maxDetections) must be ≥ 1") }
        guard batchSize >= 1, batchSize <= 1024 else { throw DetectionError("batchSize \(batchSize) must be 1...1024") }
        guard contextMargin >= 0, contextMargin <= 2 else { throw DetectionError("contextMargin \(contextMargin) must be in [0, 2]") }
        guard !templates.isEmpty else { throw DetectionError("no prompt template given") }
        for t in templates { try PromptTemplates.validate(t) }
    }
}
