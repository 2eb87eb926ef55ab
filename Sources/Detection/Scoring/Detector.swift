import CLIP
import Foundation

/// Text-defined object detection: name the classes, get boxes.
///
/// ```swift
/// import CLIP
/// import Detection
/// import Imaging
///
/// let model = try CLIPModel(folder: ModelLocator.resolve("shapes-tiny"))
/// let detector = try Detector(model: model)
/// try detector.setClasses(["red star", "blue circle"])        // text embeddings computed once
/// let image = try ImageLoader.load(path: "examples/scene.png")
/// for d in try detector.detect(image) { print(d.label, d.score, d.box) }
/// let drawn = Annotator().draw(try detector.detect(image), on: image)
/// ```
///
/// Pipeline: proposals → square context crops → CLIP image embeddings → scaled cosine with
/// every class, negative and background prompt → softmax (with `temperature`) → per-box best
/// reported class → confidence filter → NMS → containment suppression → box voting →
/// refinement of the reported boxes (`BoxRefiner`).
/// Preconditions: `setClasses` before `detect`.
/// Not thread-safe: use one detector per thread (they may share a `CLIPModel`).
public final class Detector {
    public let model: CLIPModel
    public let options: DetectorOptions
    public private(set) var classes: [ClassSpec] = []
    /// Normalised prompt embeddings: the classes, then negatives, then background prompts.
    public private(set) var promptEmbeddings: [[Float]] = []
    /// Where `setClasses` looks up text prompts before encoding them (nil: always encode).
    public var textCache: PromptEmbeddingCache?
    private let proposalGenerator: ProposalGenerator
    private let sampler: CropSampler
    private var pixelBuffer: FloatBuffer

    public init(model: CLIPModel, options: DetectorOptions = DetectorOptions()) throws {
        try options.validate()
        self.model = model
        self.options = options
        proposalGenerator = ProposalGenerator(options: options.proposals)
        let pp = model.imageProcessor.config
        sampler = CropSampler(size: model.imageSize, mean: pp.imageMean, std: pp.imageStd)
        pixelBuffer = FloatBuffer(count: options.batchSize * 3 * model.imageSize * model.imageSize)
    }

    /// Sets the classes by name (text prompts), e.g. `["person", "red backpack"]`.
    public func setClasses(_ names: [String]) throws {
        try setClasses(names.map { ClassSpec($0) })
    }

    /// Sets the classes; text and exemplar classes may be mixed. Embeds every class, negative
    /// and background prompt once; `detect` reuses them for every crop and image.
    public func setClasses(_ specs: [ClassSpec]) throws {
        try ClassSpec.checkUnique(specs, what: "classes")
        // Every text prompt (classes, negatives, background) in one pass through the text encoder.
        let textNames = specs.compactMap { $0.source == .text ? $0.name : nil } + options.negatives + options.background
        var texts = try model.promptEmbeddings(for: textNames, templates: options.templates, cache: textCache)[...]
        var embeddings: [[Float]] = []
        for spec in specs {
            switch spec.source {
            case .text: embeddings.append(texts.removeFirst())
            case .exemplar(let image): embeddings.append(Similarity.normalized(model.encodeImages([image])[0]))
            }
        }
        embeddings += texts
        classes = specs
        promptEmbeddings = embeddings
    }

    /// The normalised text embedding of `name` under the detector's templates
    /// (see `CLIPModel.promptEmbeddings`).
    public func textEmbedding(_ name: String) throws -> [Float] {
        try model.promptEmbeddings(for: [name], templates: options.templates)[0]
    }

    /// Detects the current classes in `image`.
    /// - Returns: detections sorted by decreasing score, boxes in the image's pixels.
    public func detect(_ image: RGBImage) throws -> [Detection] {
        var t = StageTimings()
        return try detect(image, timings: &t)
    }

    /// Same as `detect(_:)`, adding each stage's time to `timings`.
    ///
    /// With `reuse` (video: frames in order), two things change where pixels did not change
    /// since a crop was encoded (see `EmbeddingReuse`): proposals a valid cache entry stands
    /// for are taken first when the proposal cap is applied, and a proposal may be replaced by
    /// a cached near-duplicate box (IoU ≥ 0.9) with its cached embedding. Everything else —
    /// scoring, thresholds, NMS — is the same step for a photo and a video frame.
    public func detect(_ image: RGBImage, timings: inout StageTimings, reuse: EmbeddingReuse? = nil) throws -> [Detection] {
        guard !classes.isEmpty else { throw DetectionError("no classes set: call setClasses first") }
        var t0 = uptimeNanos()
        var boxes: [Box]
        let embeddings: [[Float]]
        if let reuse {
            let frame = reuse.beginFrame(image, contextMargin: options.contextMargin)
            boxes = try proposalGenerator.proposals(for: image, preferring: frame.hasUnchangedEntry(near:))
            timings.proposals += secondsSince(t0)
            (boxes, embeddings) = frame.embeddings(for: boxes) { missing in
                embedRegions(image, boxes: missing, timings: &timings)
            }
        } else {
            boxes = try proposalGenerator.proposals(for: image)
            timings.proposals += secondsSince(t0)
            embeddings = embedRegions(image, boxes: boxes, timings: &timings)
        }
        t0 = uptimeNanos()
        let candidates = score(embeddings: embeddings, boxes: boxes)
        timings.score += secondsSince(t0)
        t0 = uptimeNanos()
        let kept = suppress(candidates)
        timings.nms += secondsSince(t0)
        return try options.refined(kept, in: image, timings: &timings)
    }

    /// Normalised CLIP embeddings of the square context crops around `boxes`, in batches.
    public func embedRegions(_ image: RGBImage, boxes: [Box], timings: inout StageTimings) -> [[Float]] {
        let per = 3 * model.imageSize * model.imageSize, bs = options.batchSize
        var result: [[Float]] = []
        result.reserveCapacity(boxes.count)
        let prepStart = uptimeNanos()
        let prepared = PreparedImage(image)
        timings.crops += secondsSince(prepStart)
        var start = 0
        while start < boxes.count {
            let n = min(bs, boxes.count - start)
            var t0 = uptimeNanos()
            let regions = boxes[start..<(start + n)].map { CropSampler.squareRegion(for: $0, contextMargin: options.contextMargin) }
            sampler.sample(prepared, regions: regions, into: pixelBuffer.pointer)
            timings.crops += secondsSince(t0)
            t0 = uptimeNanos()
            let emb = model.imageFeatures(pixelValues: UnsafeBufferPointer(start: pixelBuffer.pointer, count: n * per), count: n, batchSize: bs)
            timings.encode += secondsSince(t0)
            result += emb.map(Similarity.normalized)
            start += n
        }
        timings.cropCount += boxes.count
        return result
    }

    /// Per box: softmax over all prompts of `logit_scale · cos / temperature`, then the best reported class;
    /// kept when its probability reaches the class threshold (or `confidence`).
    /// Returns candidates before NMS.
    public func score(embeddings: [[Float]], boxes: [Box]) -> [Detection] {
        guard !embeddings.isEmpty else { return [] }
        let logits = Similarity.scaledCosine(embeddings, promptEmbeddings, scale: model.logitScale / options.temperature)
        var out: [Detection] = []
        for (i, row) in logits.enumerated() {
            let p = Similarity.softmax(row)
            var best = 0
            for c in 1..<classes.count where p[c] > p[best] { best = c }
            let threshold = classes[best].threshold ?? options.confidence
            if p[best] >= threshold {
                out.append(Detection(label: classes[best].name, classId: best, score: p[best], box: boxes[i]))
            }
        }
        return out
    }

    /// NMS (per class, or across classes with `agnosticNMS`), then `containment` when set,
    /// best `maxDetections`, by score; then box voting over `candidates` when
    /// `boxVotingIoU` is set.
    public func suppress(_ candidates: [Detection]) -> [Detection] {
        let kept = NonMaxSuppression.suppress(candidates, options: options)
        return options.boxVotingIoU.map { BoxVoting(iou: $0).apply(kept, candidates: candidates) } ?? kept
    }
}
