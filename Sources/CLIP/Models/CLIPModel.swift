import Foundation

/// A CLIP model: image and text towers, projections and `logit_scale`, loaded from a Hugging
/// Face `CLIPModel` folder (`config.json`, `model.safetensors`, `vocab.json`, `merges.txt`,
/// optional `preprocessor_config.json`) with no conversion — or from a `ChineseCLIPModel`
/// folder (`model_type` "chinese_clip": the same vision tower, a BERT text tower and a
/// WordPiece `vocab.txt`), chosen from config.json.
///
/// ```swift
/// import CLIP
/// let model = try CLIPModel(folder: URL(fileURLWithPath: "models/shapes-tiny"))
/// let images = model.encodeImages([photo])                 // == get_image_features
/// let texts = try model.encodeTexts(["a photo of a cat", "a photo of a dog"])
/// let probs = model.probabilities(images: images, texts: texts)  // softmax over texts
/// ```
///
/// Embeddings are exactly what transformers' `get_image_features` / `get_text_features`
/// return: projected, not normalised. Thread safety: calls are serialised internally, so one
/// model may be shared across threads; it is not faster to call it from several.
public final class CLIPModel: @unchecked Sendable {
    /// The architecture. For Chinese-CLIP, the CLIP-shaped summary of `chineseCLIPConfig`
    /// (exact vision tower and projection; the BERT's text sizes; `modelType` "chinese_clip").
    public let config: CLIPConfig
    /// The full config of a Chinese-CLIP model; nil for CLIP.
    public let chineseCLIPConfig: ChineseCLIPConfig?
    /// Display name: the folder name, or the preset name for random weights.
    public let name: String
    /// `BPETokenizer` for CLIP, `WordPieceTokenizer` for Chinese-CLIP.
    public let tokenizer: any TextTokenizer
    public let imageProcessor: ImageProcessor
    /// The `logit_scale` parameter as stored (log space); similarities are scaled by `exp` of it.
    public let logitScaleParameter: Float
    /// Called with a one-line message for recoverable oddities (text truncated to the context).
    public var onWarning: @Sendable (String) -> Void = { msg in
        FileHandle.standardError.write(Data("warning: \(msg)\n".utf8))
    }

    let vision: VisionTransformer
    let visualProjection: Linear
    let text: any TextTower
    let textProjection: Linear
    private let lock = NSLock()

    /// Loads a model folder. Throws `CLIPError` naming the file and problem on a missing folder,
    /// a bad config, a corrupt/incomplete checkpoint (missing, extra or mis-shaped tensors) or
    /// missing tokenizer files.
    public convenience init(folder: URL) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDir), isDir.boolValue else {
            throw CLIPError("\(folder.path): model folder not found (expected a folder with config.json and model.safetensors)")
        }
        let configURL = folder.appendingPathComponent("config.json")
        let chinese = ChineseCLIPConfig.declaresChineseCLIP(configURL) ? try ChineseCLIPConfig.load(from: configURL) : nil
        let config = try chinese?.clipSummary ?? CLIPConfig.load(from: configURL)
        let weightsURL = folder.appendingPathComponent("model.safetensors")
        guard FileManager.default.fileExists(atPath: weightsURL.path) else {
            let bin = folder.appendingPathComponent("pytorch_model.bin")
            if FileManager.default.fileExists(atPath: bin.path) {
                throw CLIPError("\(weightsURL.path): not found; only pytorch_model.bin is present, which is never unpickled here: convert it with models/convert_to_safetensors.py")
            }
            throw CLIPError("\(weightsURL.path): not found")
        }
        let ppURL = folder.appendingPathComponent("preprocessor_config.json")
        // ChineseCLIPImageProcessor's defaults are CLIPImageProcessor's.
        let pp = FileManager.default.fileExists(atPath: ppURL.path)
            ? try ImageProcessorConfig.load(from: ppURL)
            : ImageProcessorConfig.clipDefaults(imageSize: config.visionSpec.imageSize)
        let weights = try SafetensorsWeights(url: weightsURL)
        if let chinese {
            try self.init(config: chinese, weights: weights, tokenizer: WordPieceTokenizer(folder: folder),
                          imageProcessor: ImageProcessor(config: pp), name: folder.lastPathComponent)
        } else {
            try self.init(config: config, weights: weights, tokenizer: BPETokenizer(folder: folder),
                          imageProcessor: ImageProcessor(config: pp), name: folder.lastPathComponent)
        }
    }

    /// Builds a CLIP model from any weight source (a checkpoint, or `RandomWeights` for
    /// benchmarks). Precondition: `tokenizer` ids fit the text config's vocabulary.
    public convenience init(config: CLIPConfig, weights: WeightSource, tokenizer: any TextTokenizer,
                            imageProcessor: ImageProcessor, name: String) throws {
        let text = try TextTransformer(weights, "text_model", spec: config.textSpec)
        try self.init(config: config, chinese: nil, text: text, contextLength: config.textSpec.maxPositions,
                      weights: weights, tokenizer: tokenizer, imageProcessor: imageProcessor, name: name)
    }

    /// Builds a Chinese-CLIP model from any weight source. Texts are cut to
    /// `config.contextLength` tokens (52 for the released models).
    /// Precondition: `tokenizer` ids fit `config.textConfig.vocabSize`.
    public convenience init(config: ChineseCLIPConfig, weights: WeightSource, tokenizer: any TextTokenizer,
                            imageProcessor: ImageProcessor, name: String) throws {
        let text = try ChineseCLIPTextTransformer(weights, "text_model", spec: config.textSpec)
        try self.init(config: config.clipSummary, chinese: config, text: text, contextLength: config.contextLength,
                      weights: weights, tokenizer: tokenizer, imageProcessor: imageProcessor, name: name)
    }

    /// The parts both families share; the text tower is already built (it asks for its
    /// weights first, so random weights stay what they were before Chinese-CLIP existed).
    private init(config: CLIPConfig, chinese: ChineseCLIPConfig?, text: any TextTower, contextLength: Int,
                 weights: WeightSource, tokenizer: any TextTokenizer, imageProcessor: ImageProcessor, name: String) throws {
        self.config = config
        chineseCLIPConfig = chinese
        self.contextLength = contextLength
        self.name = name
        self.tokenizer = tokenizer
        self.imageProcessor = imageProcessor
        self.text = text
        let vs = config.visionSpec, ts = config.textSpec, proj = config.resolvedProjectionDim
        vision = try VisionTransformer(weights, "vision_model", spec: vs)
        visualProjection = try Linear(weights, "visual_projection", inFeatures: vs.dim, outFeatures: proj, bias: false, std: 1 / Float(vs.dim).squareRoot())
        textProjection = try Linear(weights, "text_projection", inFeatures: ts.dim, outFeatures: proj, bias: false, std: 1 / Float(ts.dim).squareRoot())
        let scale = try weights.tensor("logit_scale", shape: [], initializer: .zeros)
        // Random weights start from the config's initial value, as transformers' init does.
        logitScaleParameter = weights is RandomWeights ? Float(config.logitScaleInit) : scale.pointer[0]
        try weights.finish()
        guard imageProcessor.outputWidth == vs.imageSize, imageProcessor.outputHeight == vs.imageSize else {
            throw CLIPError("preprocessor_config.json crops \(imageProcessor.outputWidth)x\(imageProcessor.outputHeight) but vision_config.image_size is \(vs.imageSize)")
        }
    }

    /// Dimension of the (projected) embeddings.
    public var embeddingDimension: Int { config.resolvedProjectionDim }
    /// Side of the square image the vision tower takes.
    public var imageSize: Int { config.visionSpec.imageSize }
    /// Maximum number of tokens per text (including BOS/EOS or [CLS]/[SEP]): 77 for CLIP, 52
    /// for the released Chinese-CLIP models.
    public let contextLength: Int
    /// The multiplier applied to cosine similarities: `exp(logit_scale)`.
    public var logitScale: Float { Float(exp(Double(logitScaleParameter))) }

    // MARK: Images

    /// Image features from already preprocessed pixels.
    /// - Parameter pixelValues: `[count, 3, S, S]` floats exactly like transformers' `pixel_values`.
    /// - Returns: `count` projected embeddings (`get_image_features`), not normalised.
    public func imageFeatures(pixelValues: UnsafeBufferPointer<Float>, count: Int, batchSize: Int = 32) -> [[Float]] {
        let s = imageSize, per = 3 * s * s
        precondition(pixelValues.count == count * per, "pixelValues must hold count × 3 × \(s) × \(s) floats")
        var result: [[Float]] = []
        result.reserveCapacity(count)
        let bs = max(1, batchSize)
        lock.lock()
        defer { lock.unlock() }
        let pooled = FloatBuffer(count: bs * config.visionSpec.dim)
        let projected = FloatBuffer(count: bs * embeddingDimension)
        var start = 0
        while start < count {
            let n = min(bs, count - start)
            vision(pixelValues.baseAddress! + start * per, batch: n, into: pooled.pointer)
            visualProjection(pooled.pointer, rows: n, into: projected.pointer)
            for i in 0..<n {
                result.append(Array(UnsafeBufferPointer(start: projected.pointer + i * embeddingDimension, count: embeddingDimension)))
            }
            start += n
        }
        return result
    }

    /// Preprocesses (like `CLIPImageProcessor`) and encodes images in batches.
    /// - Returns: one projected, unnormalised embedding per image, in order.
    public func encodeImages(_ images: [RGBImage], batchSize: Int = 32) -> [[Float]] {
        let s = imageSize, per = 3 * s * s, bs = max(1, batchSize)
        var result: [[Float]] = []
        result.reserveCapacity(images.count)
        let pixels = FloatBuffer(count: min(bs, max(images.count, 1)) * per)
        var start = 0
        while start < images.count {
            let n = min(bs, images.count - start)
            preprocess(images, range: start..<(start + n), into: pixels.pointer)
            result += imageFeatures(pixelValues: UnsafeBufferPointer(start: pixels.pointer, count: n * per), count: n, batchSize: bs)
            start += n
        }
        return result
    }

    /// Preprocesses `images[range]` into consecutive `[3, S, S]` slots of `out`, in parallel.
    public func preprocess(_ images: [RGBImage], range: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        let per = 3 * imageSize * imageSize, processor = imageProcessor
        DispatchQueue.concurrentPerform(iterations: range.count) { i in
            processor.preprocess(images[range.lowerBound + i],
                                 into: UnsafeMutableBufferPointer(start: out + i * per, count: per))
        }
    }

    // MARK: Texts

    /// Token ids for `text` as `CLIPTokenizerFast` gives them (BOS … EOS, no padding) — or
    /// `BertTokenizerFast` for Chinese-CLIP ([CLS] … [SEP]) — truncated to the context length
    /// with the end token kept.
    public func tokenize(_ text: String) -> TokenizedText {
        tokenizer.encode(text, contextLength: contextLength)
    }

    /// Encodes texts (tokenised here; a text longer than the context is truncated with a warning).
    /// - Returns: one projected, unnormalised embedding per text (`get_text_features`).
    public func encodeTexts(_ texts: [String]) throws -> [[Float]] {
        let ids = texts.map { text -> [Int32] in
            let t = tokenize(text)
            if t.truncated {
                onWarning("text truncated to \(contextLength) tokens: \"\(text.prefix(60))\(text.count > 60 ? "…" : "")\"")
            }
            return t.ids
        }
        return try textFeatures(ids: ids)
    }

    /// Text features from token ids (each 1…contextLength ids, each < vocab size).
    public func textFeatures(ids: [[Int32]], batchSize: Int = 64) throws -> [[Float]] {
        let ts = config.textSpec
        for (i, t) in ids.enumerated() {
            guard !t.isEmpty, t.count <= ts.maxPositions else {
                throw CLIPError("text \(i): \(t.count) tokens, the model takes 1...\(ts.maxPositions)")
            }
            if let bad = t.first(where: { $0 < 0 || Int($0) >= ts.vocabSize }) {
                throw CLIPError("text \(i): token id \(bad) is outside the vocabulary (0..<\(ts.vocabSize))")
            }
        }
        lock.lock()
        defer { lock.unlock() }
        var result: [[Float]] = []
        result.reserveCapacity(ids.count)
        let bs = max(1, batchSize)
        let pooled = FloatBuffer(count: min(bs, max(ids.count, 1)) * ts.dim)
        let projected = FloatBuffer(count: min(bs, max(ids.count, 1)) * embeddingDimension)
        var start = 0
        while start < ids.count {
            let n = min(bs, ids.count - start)
            text(Array(ids[start..<(start + n)]), into: pooled.pointer)
            textProjection(pooled.pointer, rows: n, into: projected.pointer)
            for i in 0..<n {
                result.append(Array(UnsafeBufferPointer(start: projected.pointer + i * embeddingDimension, count: embeddingDimension)))
            }
            start += n
        }
        return result
    }

    // MARK: Similarity

    /// `logit_scale.exp() · cos(image, text)` for every pair: `[images.count][texts.count]`,
    /// CLIPModel's `logits_per_image`.
    public func logits(images: [[Float]], texts: [[Float]]) -> [[Float]] {
        Similarity.scaledCosine(images, texts, scale: logitScale)
    }

    /// Softmax over the texts of `logits(images:texts:)`, per image.
    public func probabilities(images: [[Float]], texts: [[Float]]) -> [[Float]] {
        logits(images: images, texts: texts).map(Similarity.softmax)
    }
}

/// Turns text into the ids a text tower takes: `BPETokenizer` (CLIP) or `WordPieceTokenizer`
/// (Chinese-CLIP).
public protocol TextTokenizer: Sendable {
    /// `text` as start token + tokens + end token, no padding, at most `contextLength` ids
    /// (cut before the end token, `truncated` true, when longer).
    func encode(_ text: String, contextLength: Int) -> TokenizedText
}

extension BPETokenizer: TextTokenizer {}
extension WordPieceTokenizer: TextTokenizer {}

/// A text encoder up to its pooled output (before `text_projection`): CLIP's causal
/// transformer or Chinese-CLIP's BERT.
protocol TextTower: AnyObject {
    /// The row of `ids` whose final hidden state is the text's pooled output.
    func poolingIndex(_ ids: [Int32]) -> Int
    /// ids: one array per text (checked by the caller) → pooled: [count, D] into `out`.
    /// Not reentrant.
    func callAsFunction(_ texts: [[Int32]], into out: UnsafeMutablePointer<Float>)
}

extension TextTransformer: TextTower {}
