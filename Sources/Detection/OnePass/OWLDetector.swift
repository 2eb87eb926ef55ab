import CLIP
import Foundation

/// The one-pass detector family: OWL-ViT / OWLv2 checkpoints turned into `Detection`s, so
/// drawing, JSON/COCO, video, tracking and evaluation never ask which family ran.
///
/// ```swift
/// let model = try OWLModel(folder: URL(fileURLWithPath: "owlvit-base-patch32"))
/// let detector = try OWLDetector(model: model, options: OWLDetector.defaultOptions())
/// try detector.setClasses(ClassSpec.parseList("cat,remote control:0.2"))  // embedded once
/// for d in try detector.detect(image) { print(d.label, d.score, d.box) }
/// ```
///
/// Per image: one pass of the vision tower and heads (`OWLModel.imageFeatures`), every patch
/// scored against every query; a patch reports its best query when that query is a class
/// (not a negative) and its sigmoid score reaches the class threshold (or `confidence`);
/// boxes are transformers' `post_process_object_detection` boxes clipped to the image; then
/// NMS as for the crop detector, then, when `options.containment` is set, its containment
/// suppression (`ContainmentSuppression`), then, when `options.refinement` is set, its
/// box refinement (`BoxRefiner`: each kept box snaps to the object GrabCut finds around it;
/// scores and classes stay). Text classes go through the prompt templates (several are
/// averaged after normalising, as CLIP's prompt ensembling); a class given by an example image
/// uses the query transformers' `image_guided_detection` picks from it. Background prompts are
/// a softmax notion of the crop detector and are not used here.
///
/// Defaults (`defaultOptions`), chosen as transformers does where it has a default; a model
/// folder's `detection_defaults.json` overrides them (`defaultOptions(for:)`):
///
/// | setting | OWL default | why |
/// |---|---|---|
/// | template | `a photo of a {}` | the prompt form of transformers' OWL examples and the OWL-ViT paper's ensemble |
/// | `confidence` | 0.1 | `post_process_object_detection(threshold=0.1)` |
/// | `iouThreshold` | 0.3 | `post_process_image_guided_detection(nms_threshold=0.3)`; transformers applies no NMS to text queries |
/// | `containment` | nil | transformers' detections as they are; a folder's `"containment": true` turns it on, with its `"cross_class_score_ratio"` (shapes-owl: measured in `ContainmentSuppression`) |
/// | `refinement` | nil | transformers' boxes as they are; a folder's `"refine": true` turns it on (shapes-owl: measured in its model card) |
///
/// Not thread-safe: one detector per thread (they may share an `OWLModel`).
public final class OWLDetector: ObjectDetector {
    public let model: OWLModel
    public let options: DetectorOptions
    public private(set) var classes: [ClassSpec] = []
    /// Query embeddings: the classes, then the negatives.
    public private(set) var queries: [[Float]] = []
    /// Where `setClasses` looks up text queries before encoding them (nil: always encode).
    public var textCache: PromptEmbeddingCache?

    /// Options with the OWL defaults (see the table above).
    public static func defaultOptions() -> DetectorOptions {
        var options = DetectorOptions()
        options.templates = ["a photo of a {}"]
        options.confidence = 0.1
        options.iouThreshold = 0.3
        options.background = []
        options.containment = nil
        options.refinement = nil
        return options
    }

    /// The OWL defaults with `model`'s own `detection_defaults.json` applied over them (its
    /// training prompt, chosen thresholds, containment and refinement; e.g. shapes-owl's
    /// "a photo of a {}.", 0.35, 0.3, containment with cross-class score ratio 0.9, refined).
    public static func defaultOptions(for model: OWLModel) -> DetectorOptions {
        var options = defaultOptions()
        if let own = model.detectionDefaults {
            if let template = own.template { options.templates = [template] }
            if let confidence = own.confidence { options.confidence = confidence }
            if let iou = own.iouThreshold { options.iouThreshold = iou }
            if let containment = own.containment {
                options.containment = containment
                    ? ContainmentSuppression(crossClassScoreRatio: own.crossClassScoreRatio ?? ContainmentSuppression().crossClassScoreRatio)
                    : nil
            }
            if let refine = own.refine {
                options.refinement = refine ? BoxRefiner(longSide: own.refineLongSide ?? BoxRefiner().longSide) : nil
            }
        }
        return options
    }

    public init(model: OWLModel, options: DetectorOptions = OWLDetector.defaultOptions()) throws {
        try options.validate()
        self.model = model
        self.options = options
    }

    /// Sets the classes; embeds every text query (through the templates) and example image once.
    public func setClasses(_ specs: [ClassSpec]) throws {
        try ClassSpec.checkUnique(specs, what: "classes")
        let textNames = specs.compactMap { $0.source == .text ? $0.name : nil } + options.negatives
        var texts = try textQueries(textNames)[...]
        var embeddings: [[Float]] = []
        for spec in specs {
            switch spec.source {
            case .text: embeddings.append(texts.removeFirst())
            case .exemplar(let image): embeddings.append(model.imageQuery(model.imageFeatures(image)).embedding)
            }
        }
        classes = specs
        queries = embeddings + texts
    }

    /// One query per name: CLIP's prompt ensembling (`Similarity.promptEnsemble`) over the
    /// OWL text tower.
    private func textQueries(_ names: [String]) throws -> [[Float]] {
        guard let textCache else { return try Similarity.promptEnsemble(names, templates: options.templates, encode: model.textQueries) }
        return try textCache.embeddings(for: names, templates: options.templates, model: "owl:" + model.name, encode: model.textQueries)
    }

    public func detect(_ image: RGBImage) throws -> [Detection] {
        var t = StageTimings()
        return try detect(image, timings: &t, reuse: nil)
    }

    /// Detects the current classes in `image`; `reuse` is ignored (there are no crops to reuse).
    public func detect(_ image: RGBImage, timings: inout StageTimings, reuse: EmbeddingReuse?) throws -> [Detection] {
        guard !classes.isEmpty else { throw DetectionError("no classes set: call setClasses first") }
        var t0 = uptimeNanos()
        let features = model.imageFeatures(image)
        timings.encode += secondsSince(t0)
        timings.cropCount += 1
        t0 = uptimeNanos()
        var candidates: [Detection] = []
        for patch in model.patches(features, queries: queries, width: image.width, height: image.height) {
            guard patch.query < classes.count else { continue }  // a negative won
            let spec = classes[patch.query]
            guard patch.score >= spec.threshold ?? options.confidence else { continue }
            candidates.append(Detection(label: spec.name, classId: patch.query, score: patch.score,
                                        box: Box(x1: patch.x0, y1: patch.y0, x2: patch.x1, y2: patch.y1)))
        }
        timings.score += secondsSince(t0)
        t0 = uptimeNanos()
        let kept = NonMaxSuppression.suppress(candidates, options: options)
        timings.nms += secondsSince(t0)
        return try options.refined(kept, in: image, timings: &timings)
    }
}
