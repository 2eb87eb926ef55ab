import Foundation

/// An OWL-ViT or OWLv2 open-vocabulary detector (transformers' `OwlViTForObjectDetection` /
/// `Owlv2ForObjectDetection`), loaded from an unchanged Hugging Face folder (`config.json`
/// with `model_type` "owlvit"/"owlv2", `model.safetensors`, `vocab.json`, `merges.txt`,
/// optional `preprocessor_config.json`).
///
/// One pass of the CLIP-style vision tower over the whole image gives, for every patch, a
/// class embedding, a box and (OWLv2) an objectness logit; queries — texts or example images —
/// are embedded separately and scored against every patch.
///
/// ```swift
/// import CLIP
/// let model = try OWLModel(folder: URL(fileURLWithPath: "owlvit-base-patch32"))
/// let queries = try model.textQueries(["a photo of a cat", "a remote control"])  // once per run
/// let patches = model.detect(photo, queries: queries)   // one OWLPatch per patch
/// let best = patches.max { $0.score < $1.score }!       // label: queries[best.query]
/// ```
///
/// `detect` reproduces transformers exactly: `logits` of the forward pass, `score` =
/// sigmoid of the best query's logit, `box` = `post_process_object_detection`'s box in pixels
/// (OWLv2: scaled to the padded square), then clipped to the image. Thread safety: calls are
/// serialised internally.
public final class OWLModel: @unchecked Sendable {
    public let config: OWLConfig
    /// Display name: the folder name, or the preset name for random weights.
    public let name: String
    public let tokenizer: BPETokenizer
    public let imageProcessor: OWLImageProcessor
    /// The folder's own prompt template and thresholds (`detection_defaults.json`), if it has one.
    public internal(set) var detectionDefaults: DetectionDefaults?
    /// The CLIP `logit_scale` parameter as stored (unused by detection; kept for completeness).
    public let logitScaleParameter: Float
    /// Called with a one-line message for recoverable oddities (a query truncated to 16 tokens).
    public var onWarning: @Sendable (String) -> Void = { msg in
        FileHandle.standardError.write(Data("warning: \(msg)\n".utf8))
    }

    let vision: OWLVisionTower
    let text: TextTransformer
    let textProjection: Linear
    let visualProjection: Linear
    let classHead: OWLClassHead
    let boxHead: OWLMLPHead
    let objectnessHead: OWLMLPHead?
    let boxBias: [Float]
    private let lock = NSLock()

    /// Loads a model folder. Throws `CLIPError` naming the file and problem on a missing
    /// folder, a bad config, a checkpoint with missing, extra or mis-shaped tensors, missing
    /// tokenizer files, or a bad `detection_defaults.json` (optional).
    public convenience init(folder: URL) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDir), isDir.boolValue else {
            throw CLIPError("\(folder.path): model folder not found (expected a folder with config.json and model.safetensors)")
        }
        let config = try OWLConfig.load(from: folder.appendingPathComponent("config.json"))
        let weightsURL = folder.appendingPathComponent("model.safetensors")
        guard FileManager.default.fileExists(atPath: weightsURL.path) else {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("pytorch_model.bin").path) {
                throw CLIPError("\(weightsURL.path): not found; only pytorch_model.bin is present, which is never unpickled here: convert it with models/convert_to_safetensors.py")
            }
            throw CLIPError("\(weightsURL.path): not found")
        }
        let processor = try OWLImageProcessor.load(folder: folder, family: config.family,
                                                   imageSize: config.visionConfig.imageSize)
        let defaults = try DetectionDefaults.load(folder: folder)
        try self.init(config: config, weights: SafetensorsWeights(url: weightsURL),
                      tokenizer: BPETokenizer(folder: folder), imageProcessor: processor, name: folder.lastPathComponent)
        detectionDefaults = defaults
    }

    /// Builds a detector from any weight source (a checkpoint, or `RandomWeights` for
    /// benchmarks). Every tensor is read under its transformers key
    /// (`owlvit.vision_model.encoder.layers.0.self_attn.q_proj.weight`, `class_head.dense0.weight`,
    /// `box_head.dense2.bias`, OWLv2's `objectness_head.*`); a missing, extra or mis-shaped one
    /// is an error. Precondition: `imageProcessor.outputSize == config.visionConfig.imageSize`.
    public init(config: OWLConfig, weights: WeightSource, tokenizer: BPETokenizer,
                imageProcessor: OWLImageProcessor, name: String) throws {
        if let problem = config.problems().first { throw CLIPError("config.json: \(problem)") }
        precondition(imageProcessor.outputSize == config.visionConfig.imageSize, "image processor size differs from vision_config.image_size")
        self.config = config
        self.name = name
        self.tokenizer = tokenizer
        self.imageProcessor = imageProcessor
        let p = config.family.backbonePrefix, vs = config.visionSpec, ts = config.textSpec
        text = try TextTransformer(weights, "\(p).text_model", spec: ts)
        vision = try OWLVisionTower(weights, "\(p).vision_model", mergePrefix: "layer_norm", spec: vs)
        visualProjection = try Linear(weights, "\(p).visual_projection", inFeatures: vs.dim, outFeatures: config.projectionDim,
                                      bias: false, std: 1 / Float(vs.dim).squareRoot())
        textProjection = try Linear(weights, "\(p).text_projection", inFeatures: ts.dim, outFeatures: config.projectionDim,
                                    bias: false, std: 1 / Float(ts.dim).squareRoot())
        let scale = try weights.tensor("\(p).logit_scale", shape: [], initializer: .zeros)
        logitScaleParameter = weights is RandomWeights ? Float(config.logitScaleInitValue) : scale.pointer[0]
        classHead = try OWLClassHead(weights, "class_head", visionDim: vs.dim, textDim: ts.dim)
        boxHead = try OWLMLPHead(weights, "box_head", dim: vs.dim, outputs: 4)
        objectnessHead = config.family == .owlv2 ? try OWLMLPHead(weights, "objectness_head", dim: vs.dim, outputs: 1) : nil
        let grid = vs.patchesPerSide
        try weights.acceptBuffer("box_bias", shape: [grid * grid, 4])
        boxBias = OWLBoxBias.make(gridHeight: grid, gridWidth: grid)
        try weights.finish()
    }

    public var family: OWLFamily { config.family }
    /// Side of the square image the vision tower takes (768 for OWL-ViT B/32, 960 for OWLv2).
    public var imageSize: Int { config.visionConfig.imageSize }
    /// Predictions per image: one per patch.
    public var patchCount: Int { vision.patchCount }
    /// Width of query embeddings (text or image).
    public var queryDimension: Int { config.textConfig.hiddenSize }
    /// Tokens per text query, start and end tokens included (16 for the released models).
    public var contextLength: Int { config.textConfig.maxPositionEmbeddings }

    // MARK: Queries

    /// Text queries as the detector compares them: `text_projection` of the pooled text
    /// output, L2-normalised (`OwlViTModel`'s `text_embeds`). Embed once per class list, not
    /// per image. A text longer than the context is cut (end token kept) with a warning.
    public func textQueries(_ texts: [String]) throws -> [[Float]] {
        let ids = texts.map { text -> [Int32] in
            let t = tokenize(text)
            if t.truncated {
                onWarning("query truncated to \(contextLength) tokens: \"\(text.prefix(60))\(text.count > 60 ? "…" : "")\"")
            }
            return t.ids
        }
        return try textQueries(ids: ids)
    }

    /// Token ids of a query as the OWL processors give them: CLIP's BPE, except that the pad
    /// token "!" is a special added token in the OWL repos' tokenizer, so every "!" in the text
    /// is its own token (`pad_token_id`, 0) and splits the text around it. At most
    /// `contextLength` ids, the end token kept.
    public func tokenize(_ text: String) -> TokenizedText {
        let pad = Int32(config.textConfig.padTokenId ?? 0)
        var ids: [Int32] = [tokenizer.bosTokenId]
        for (i, part) in text.split(separator: "!", omittingEmptySubsequences: false).enumerated() {
            if i > 0 { ids.append(pad) }
            ids += tokenizer.encode(String(part), contextLength: Int.max).ids.dropFirst().dropLast()
        }
        let truncated = ids.count + 1 > contextLength
        if truncated { ids.removeLast(ids.count + 1 - contextLength) }
        ids.append(tokenizer.eosTokenId)
        return TokenizedText(ids: ids, truncated: truncated)
    }

    /// Text queries from token ids (each 1…contextLength ids below the vocabulary size;
    /// padding is not needed: the causal mask makes it irrelevant).
    public func textQueries(ids: [[Int32]]) throws -> [[Float]] {
        let ts = config.textSpec
        for (i, t) in ids.enumerated() {
            guard !t.isEmpty, t.count <= ts.maxPositions else {
                throw CLIPError("query \(i): \(t.count) tokens, the model takes 1...\(ts.maxPositions)")
            }
            if let bad = t.first(where: { $0 < 0 || Int($0) >= ts.vocabSize }) {
                throw CLIPError("query \(i): token id \(bad) is outside the vocabulary (0..<\(ts.vocabSize))")
            }
        }
        guard !ids.isEmpty else { return [] }
        lock.lock()
        defer { lock.unlock() }
        let pooled = FloatBuffer(count: ids.count * ts.dim)
        let projected = FloatBuffer(count: ids.count * config.projectionDim)
        text(ids, into: pooled.pointer)
        textProjection(pooled.pointer, rows: ids.count, into: projected.pointer)
        let e = config.projectionDim
        return (0..<ids.count).map { i in
            Similarity.normalized(Array(UnsafeBufferPointer(start: projected.pointer + i * e, count: e)))
        }
    }

    /// The query embedding an example image gives, as transformers' `image_guided_detection`
    /// picks it: OWL-ViT — among the patches whose predicted box overlaps the whole image
    /// (IoU, or generalised IoU when none overlaps) within 80% of the best, the one least
    /// similar to the mean class embedding; OWLv2 — the patch with the highest objectness.
    /// - Returns: that patch's class embedding (`dense0` output) and its index.
    public func imageQuery(_ features: OWLImageFeatures) -> (embedding: [Float], patch: Int) {
        let n = features.patchCount, t = features.classDimension
        let best: Int
        if let objectness = features.objectnessLogits {
            var b = 0
            for i in 1..<n where objectness[i] > objectness[b] { b = i }
            best = b
        } else {
            best = Self.leastTypicalCoveringPatch(features)
        }
        return (Array(features.classEmbeddings[(best * t)..<((best + 1) * t)]), best)
    }

    /// OWL-ViT's `embed_image_query` selection (see `imageQuery`).
    static func leastTypicalCoveringPatch(_ f: OWLImageFeatures) -> Int {
        let n = f.patchCount, t = f.classDimension
        var ious = [Float](repeating: 0, count: n)
        for i in 0..<n {
            let (x0, y0, x1, y1) = f.cornerBox(i)
            let area = (x1 - x0) * (y1 - y0)
            let w = max(min(x1, 1) - max(x0, 0), 0), h = max(min(y1, 1) - max(y0, 0), 0)
            let inter = w * h
            ious[i] = inter / (1 + area - inter)
        }
        if ious.allSatisfy({ $0 == 0 }) {
            for i in 0..<n {
                let (x0, y0, x1, y1) = f.cornerBox(i)
                let area = (x1 - x0) * (y1 - y0)
                let w = max(min(x1, 1) - max(x0, 0), 0), h = max(min(y1, 1) - max(y0, 0), 0)
                let inter = w * h, union = 1 + area - inter
                let ew = max(max(x1, 1) - min(x0, 0), 0), eh = max(max(y1, 1) - min(y0, 0), 0)
                let enclosing = ew * eh
                ious[i] = inter / union - (enclosing - union) / enclosing
            }
        }
        let threshold = ious.max()! * 0.8
        var mean = [Double](repeating: 0, count: t)
        for i in 0..<n { for j in 0..<t { mean[j] += Double(f.classEmbeddings[i * t + j]) } }
        for j in 0..<t { mean[j] /= Double(n) }
        var best = -1, bestSim = Double.infinity
        for i in 0..<n where ious[i] >= threshold {
            var sim = 0.0
            for j in 0..<t { sim += mean[j] * Double(f.classEmbeddings[i * t + j]) }
            if sim < bestSim { bestSim = sim; best = i }
        }
        return best
    }

    // MARK: Images

    /// Per-patch features of preprocessed pixels (`[3, S, S]`, exactly transformers'
    /// `pixel_values[0]`): class embeddings, logit shift and scale, boxes, objectness.
    public func imageFeatures(pixelValues: UnsafeBufferPointer<Float>) -> OWLImageFeatures {
        precondition(pixelValues.count == 3 * imageSize * imageSize, "pixelValues must hold 3 × \(imageSize) × \(imageSize) floats")
        let n = patchCount, d = config.visionSpec.dim, t = queryDimension
        lock.lock()
        defer { lock.unlock() }
        let features = FloatBuffer(count: n * d)
        vision(pixelValues.baseAddress!, batch: 1, into: features.pointer)
        var classEmbeddings = [Float](repeating: 0, count: n * t)
        var shift = [Float](repeating: 0, count: n), scale = [Float](repeating: 0, count: n)
        classEmbeddings.withUnsafeMutableBufferPointer { ce in
            shift.withUnsafeMutableBufferPointer { sh in
                scale.withUnsafeMutableBufferPointer { sc in
                    classHead(features.pointer, rows: n, classEmbeddings: ce.baseAddress!, shift: sh.baseAddress!, scale: sc.baseAddress!)
                }
            }
        }
        let a = FloatBuffer(count: n * d), b = FloatBuffer(count: n * d)
        var boxes = [Float](repeating: 0, count: n * 4)
        boxes.withUnsafeMutableBufferPointer { out in
            boxHead(features.pointer, rows: n, into: out.baseAddress!, scratch: a.pointer, b.pointer)
            for i in 0..<(n * 4) { out[i] = 1 / (1 + expf(-(out[i] + boxBias[i]))) }
        }
        var objectness: [Float]?
        if let objectnessHead {
            var o = [Float](repeating: 0, count: n)
            o.withUnsafeMutableBufferPointer { objectnessHead(features.pointer, rows: n, into: $0.baseAddress!, scratch: a.pointer, b.pointer) }
            objectness = o
        }
        return OWLImageFeatures(patchCount: n, classDimension: t, classEmbeddings: classEmbeddings,
                                logitShift: shift, logitScale: scale, boxes: boxes, objectnessLogits: objectness)
    }

    /// Preprocesses `image` (the family's processor) and computes its patch features.
    public func imageFeatures(_ image: RGBImage) -> OWLImageFeatures {
        let pixels = imageProcessor.preprocess(image)
        return pixels.withUnsafeBufferPointer { imageFeatures(pixelValues: $0) }
    }

    /// `logits[p, q]` for every patch and query: (cos(class embedding, query) + shift) · scale,
    /// with both vectors divided by (norm + 1e-6) as `OwlViTClassPredictionHead` does.
    public func logits(_ features: OWLImageFeatures, queries: [[Float]]) -> [Float] {
        let n = features.patchCount, t = features.classDimension, q = queries.count
        guard q > 0 else { return [] }
        precondition(queries.allSatisfy { $0.count == t }, "every query must have \(t) values")
        let normed = FloatBuffer(count: n * t), qs = FloatBuffer(count: q * t)
        features.classEmbeddings.withUnsafeBufferPointer { ce in
            Self.normalizeRows(ce.baseAddress!, rows: n, n: t, into: normed.pointer)
        }
        for (i, query) in queries.enumerated() {
            query.withUnsafeBufferPointer { Self.normalizeRows($0.baseAddress!, rows: 1, n: t, into: qs.pointer + i * t) }
        }
        var out = [Float](repeating: 0, count: n * q)
        out.withUnsafeMutableBufferPointer { o in
            Kernels.gemmXWt(normed.pointer, qs.pointer, o.baseAddress!, rows: n, inF: t, outF: q, accumulate: false)
            for p in 0..<n {
                let shift = features.logitShift[p], scale = features.logitScale[p]
                for j in 0..<q { o[p * q + j] = (o[p * q + j] + shift) * scale }
            }
        }
        return out
    }

    /// rows of x / (‖row‖ + 1e-6).
    private static func normalizeRows(_ x: UnsafePointer<Float>, rows: Int, n: Int, into out: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            var s: Float = 0
            for j in 0..<n { s += x[r * n + j] * x[r * n + j] }
            let inv = 1 / (s.squareRoot() + 1e-6)
            for j in 0..<n { out[r * n + j] = x[r * n + j] * inv }
        }
    }

    /// Every patch of `image` scored against `queries` (text or image queries): the best
    /// query, its sigmoid score and logits, and the box in pixels of `image`, clipped to it.
    public func detect(_ image: RGBImage, queries: [[Float]]) -> [OWLPatch] {
        patches(imageFeatures(image), queries: queries, width: image.width, height: image.height)
    }

    /// `detect` on features already computed for a `width`×`height` image.
    public func patches(_ features: OWLImageFeatures, queries: [[Float]], width: Int, height: Int) -> [OWLPatch] {
        let q = queries.count
        guard q > 0 else { return [] }
        let all = logits(features, queries: queries)
        let (sx, sy) = imageProcessor.boxScale(width: width, height: height)
        let w = Float(width), h = Float(height)
        return (0..<features.patchCount).map { p in
            var best = 0
            for j in 1..<q where all[p * q + j] > all[p * q + best] { best = j }
            let logit = all[p * q + best]
            let (x0, y0, x1, y1) = features.cornerBox(p)
            return OWLPatch(index: p, query: best, score: 1 / (1 + expf(-logit)),
                            logits: Array(all[(p * q)..<((p + 1) * q)]),
                            x0: min(max(x0 * sx, 0), w), y0: min(max(y0 * sy, 0), h),
                            x1: min(max(x1 * sx, 0), w), y1: min(max(y1 * sy, 0), h))
        }
    }
}

/// What the vision tower and heads give for one image, before any query is known.
public struct OWLImageFeatures: Sendable {
    public let patchCount: Int
    /// Width of a class embedding (the text width).
    public let classDimension: Int
    /// `[patchCount, classDimension]`: `class_head.dense0` of each patch feature (not normalised).
    public let classEmbeddings: [Float]
    /// `[patchCount]`: `logit_shift`.
    public let logitShift: [Float]
    /// `[patchCount]`: elu(`logit_scale`) + 1.
    public let logitScale: [Float]
    /// `[patchCount, 4]`: `pred_boxes`, (cx, cy, w, h) relative to the model input.
    public let boxes: [Float]
    /// `[patchCount]`: OWLv2's objectness logits; nil for OWL-ViT.
    public let objectnessLogits: [Float]?

    /// Patch `i`'s box as relative corners (x0, y0, x1, y1) (`center_to_corners_format`).
    public func cornerBox(_ i: Int) -> (Float, Float, Float, Float) {
        let cx = boxes[4 * i], cy = boxes[4 * i + 1], w = boxes[4 * i + 2], h = boxes[4 * i + 3]
        return (cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w, cy + 0.5 * h)
    }
}

/// One patch's prediction: what `post_process_object_detection` reports for it (before
/// thresholding), with the box clipped to the image.
public struct OWLPatch: Sendable, Equatable {
    /// Patch index, row-major over the grid.
    public var index: Int
    /// Index of the query with the highest logit.
    public var query: Int
    /// sigmoid of that logit.
    public var score: Float
    /// The logit for every query.
    public var logits: [Float]
    /// Box corners in pixels of the original image.
    public var x0: Float, y0: Float, x1: Float, y1: Float
}
