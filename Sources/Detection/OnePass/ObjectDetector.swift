import CLIP

/// What the CLI, the video loop and evaluation need from a detector, whichever family runs:
/// the crop detector (`Detector`, CLIP checkpoints) or the one-pass detector (`OWLDetector`,
/// OWL-ViT / OWLv2 checkpoints). The family is chosen from config.json's `model_type`
/// (`OWLConfig.declaredFamily`; the CLI does it in `clipdetect/Options/DetectorLoading.swift`).
///
/// ```swift
/// let detector: any ObjectDetector = try OWLDetector(model: try OWLModel(folder: folder))
/// try detector.setClasses(ClassSpec.parseList("person,red backpack"))
/// var timings = StageTimings()
/// let found = try detector.detect(image, timings: &timings, reuse: nil)
/// ```
public protocol ObjectDetector: AnyObject {
    /// The classes set last, in order (`Detection.classId` indexes them).
    var classes: [ClassSpec] { get }
    /// The options the detector runs with (thresholds, NMS, templates).
    var options: DetectorOptions { get }
    /// Where `setClasses` looks up text prompts before encoding them (nil: always encode).
    var textCache: PromptEmbeddingCache? { get set }
    /// Embeds the classes (texts through the templates, example images) once for every
    /// following `detect`.
    func setClasses(_ specs: [ClassSpec]) throws
    /// Detections of the current classes in `image`, best first, boxes in its pixels. `reuse`
    /// lets a video run skip work on unchanged regions where the family can.
    func detect(_ image: RGBImage, timings: inout StageTimings, reuse: EmbeddingReuse?) throws -> [Detection]
}

extension Detector: ObjectDetector {}

extension NonMaxSuppression {
    /// NMS as `options` asks (per class, or across classes with `agnosticNMS`), then
    /// `containment` when set, then the best `maxDetections` by score. Both detector families
    /// end their suppression here.
    public static func suppress(_ candidates: [Detection], options: DetectorOptions) -> [Detection] {
        let nmsKept = kept(candidates, options: options)
        return Array((options.containment?.apply(nmsKept) ?? nmsKept).prefix(options.maxDetections))
    }

    /// The candidates NMS keeps (per class, or across classes with `agnosticNMS`), by score,
    /// with no cap.
    public static func kept(_ candidates: [Detection], options: DetectorOptions) -> [Detection] {
        let boxes = candidates.map(\.box), scores = candidates.map(\.score)
        let keep = options.agnosticNMS
            ? nms(boxes: boxes, scores: scores, iouThreshold: options.iouThreshold)
            : batchedNMS(boxes: boxes, scores: scores, classIds: candidates.map(\.classId), iouThreshold: options.iouThreshold)
        return keep.map { candidates[$0] }
    }
}
