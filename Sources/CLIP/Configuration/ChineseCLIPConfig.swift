import Foundation

/// A Chinese-CLIP model's architecture, decoded from a transformers `ChineseCLIPModel`
/// config.json (`model_type` "chinese_clip", e.g. `OFA-Sys/chinese-clip-vit-base-patch16`).
///
/// ```swift
/// let config = try ChineseCLIPConfig.load(from: folder.appendingPathComponent("config.json"))
/// config.textConfig.vocabSize   // 21128: the RoBERTa-wwm WordPiece vocabulary
/// config.contextLength          // 52: what the released models were trained with
/// ```
///
/// The vision tower is CLIP's (same keys, same defaults, so `CLIPVisionConfig` decodes it);
/// the text tower is BERT-style (`ChineseCLIPTextConfig`). Decoding follows transformers 5.x
/// `configuration_chinese_clip.py`: absent keys take its defaults, and a non-null legacy
/// `text_config_dict` / `vision_config_dict` replaces the matching sub-config.
public struct ChineseCLIPConfig: Decodable, Sendable, Equatable {
    public var visionConfig: CLIPVisionConfig
    public var textConfig: ChineseCLIPTextConfig
    /// Width of the shared image/text embedding space.
    public var projectionDim: Int
    /// Initial value of the `logit_scale` parameter (its log): used only without weights.
    public var logitScaleInitValue: Double

    /// The `model_type` this config answers to.
    public static let modelType = "chinese_clip"
    /// Tokens per text the released models were trained with (cn_clip's `context_length`:
    /// [CLS] + 50 + [SEP]), although their configs declare 512 positions.
    public static let trainedContextLength = 52

    enum CodingKeys: String, CodingKey {
        case visionConfig = "vision_config"
        case textConfig = "text_config"
        case visionConfigDict = "vision_config_dict"
        case textConfigDict = "text_config_dict"
        case projectionDim = "projection_dim"
        case logitScaleInitValue = "logit_scale_init_value"
        case modelType = "model_type"
    }

    public init(visionConfig: CLIPVisionConfig, textConfig: ChineseCLIPTextConfig, projectionDim: Int,
                logitScaleInitValue: Double = 2.6592) {
        self.visionConfig = visionConfig
        self.textConfig = textConfig
        self.projectionDim = projectionDim
        self.logitScaleInitValue = logitScaleInitValue
    }

    public init(from decoder: Swift.Decoder) throws {
        let keys = try decoder.container(keyedBy: CodingKeys.self)
        let type = try keys.decodeIfPresent(String.self, forKey: .modelType)
        guard type == Self.modelType else {
            throw DecodingError.dataCorruptedError(
                forKey: .modelType, in: keys,
                debugDescription: "\"\(type ?? "")\" is not a ChineseCLIPModel config (expected \"chinese_clip\")")
        }
        func hasValue(_ key: CodingKeys) throws -> Bool { try keys.contains(key) && !keys.decodeNil(forKey: key) }
        // transformers builds absent sub-configs from their defaults.
        let visionKey: CodingKeys = try hasValue(.visionConfigDict) ? .visionConfigDict : .visionConfig
        let textKey: CodingKeys = try hasValue(.textConfigDict) ? .textConfigDict : .textConfig
        visionConfig = try hasValue(visionKey) ? keys.decode(CLIPVisionConfig.self, forKey: visionKey) : CLIPVisionConfig()
        textConfig = try hasValue(textKey) ? keys.decode(ChineseCLIPTextConfig.self, forKey: textKey) : ChineseCLIPTextConfig()
        projectionDim = try keys.decodeIfPresent(Int.self, forKey: .projectionDim) ?? 512
        logitScaleInitValue = try keys.decodeIfPresent(Double.self, forKey: .logitScaleInitValue) ?? 2.6592
    }

    /// Reads and validates a config.json whose `model_type` is "chinese_clip".
    ///
    /// Throws a one-line `CLIPError` naming the file when it cannot be read, is not JSON, has
    /// a value of the wrong type or an unsupported `hidden_act`, or describes an impossible
    /// model.
    public static func load(from url: URL) throws -> ChineseCLIPConfig {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw CLIPError("\(url.path): cannot be read (a model folder needs the transformers config.json)")
        }
        let config: ChineseCLIPConfig
        do {
            config = try JSONDecoder().decode(ChineseCLIPConfig.self, from: data)
        } catch let error as DecodingError {
            throw CLIPError("\(url.path): \(error.configMessage)")
        } catch {
            throw CLIPError("\(url.path): not valid JSON")
        }
        if let problem = config.problems().first {
            throw CLIPError("\(url.path): \(problem)")
        }
        return config
    }

    /// True when the config.json at `url` declares `model_type` "chinese_clip". Unreadable or
    /// malformed files answer false, leaving the error to the CLIP loader's message.
    public static func declaresChineseCLIP(_ url: URL) -> Bool {
        guard let data = try? Data(contentsOf: url),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return false }
        return json["model_type"] as? String == modelType
    }

    /// Texts are cut to this many tokens: the trained 52, or fewer positions if the model has them.
    public var contextLength: Int { min(Self.trainedContextLength, textConfig.maxPositionEmbeddings) }

    /// Everything that makes the model impossible to build, each naming its key.
    func problems() -> [String] {
        var found = visionConfig.problems().map { "vision_config.\($0)" }
            + textConfig.problems().map { "text_config.\($0)" }
        if projectionDim <= 0 { found.append("projection_dim must be positive, got \(projectionDim)") }
        if !logitScaleInitValue.isFinite { found.append("logit_scale_init_value must be finite") }
        return found
    }

    /// OFA-Sys/chinese-clip-vit-base-patch16 as transformers resolves its config.json:
    /// ViT-B/16 image tower, RoBERTa-wwm-ext-base text tower, 512-wide embeddings.
    public static func vitB16() -> ChineseCLIPConfig {
        var vision = CLIPVisionConfig()
        vision.patchSize = 16
        var text = ChineseCLIPTextConfig()
        text.vocabSize = 21128
        return ChineseCLIPConfig(visionConfig: vision, textConfig: text, projectionDim: 512)
    }
}

/// The BERT-style `text_config` of a `ChineseCLIPModel` config.json (RoBERTa-wwm-ext).
///
/// Absent keys take transformers' `ChineseCLIPTextConfig` defaults (BERT-base sizes).
public struct ChineseCLIPTextConfig: Decodable, Sendable, Equatable {
    public var vocabSize = 30522
    public var hiddenSize = 768
    public var intermediateSize = 3072
    public var numHiddenLayers = 12
    public var numAttentionHeads = 12
    public var maxPositionEmbeddings = 512
    public var typeVocabSize = 2
    public var hiddenAct = Activation.gelu
    public var layerNormEps = 1e-12
    public var padTokenId: Int? = 0

    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size"
        case hiddenSize = "hidden_size"
        case intermediateSize = "intermediate_size"
        case numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads"
        case maxPositionEmbeddings = "max_position_embeddings"
        case typeVocabSize = "type_vocab_size"
        case hiddenAct = "hidden_act"
        case layerNormEps = "layer_norm_eps"
        case padTokenId = "pad_token_id"
    }

    /// The defaults (transformers' `ChineseCLIPTextConfig()`), to adjust field by field.
    public init() {}

    public init(from decoder: Swift.Decoder) throws {
        let keys = try decoder.container(keyedBy: CodingKeys.self)
        vocabSize = try keys.decodeIfPresent(Int.self, forKey: .vocabSize) ?? vocabSize
        hiddenSize = try keys.decodeIfPresent(Int.self, forKey: .hiddenSize) ?? hiddenSize
        intermediateSize = try keys.decodeIfPresent(Int.self, forKey: .intermediateSize) ?? intermediateSize
        numHiddenLayers = try keys.decodeIfPresent(Int.self, forKey: .numHiddenLayers) ?? numHiddenLayers
        numAttentionHeads = try keys.decodeIfPresent(Int.self, forKey: .numAttentionHeads) ?? numAttentionHeads
        maxPositionEmbeddings = try keys.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings) ?? maxPositionEmbeddings
        typeVocabSize = try keys.decodeIfPresent(Int.self, forKey: .typeVocabSize) ?? typeVocabSize
        hiddenAct = try keys.decodeActivationIfPresent(forKey: .hiddenAct) ?? hiddenAct
        layerNormEps = try keys.decodeIfPresent(Double.self, forKey: .layerNormEps) ?? layerNormEps
        if keys.contains(.padTokenId) { padTokenId = try keys.decodeIfPresent(Int.self, forKey: .padTokenId) }
    }

    /// Problems that make the tower impossible to build, worded after `text_config.`.
    func problems() -> [String] {
        var found = [("vocab_size", vocabSize), ("hidden_size", hiddenSize), ("intermediate_size", intermediateSize),
                     ("num_hidden_layers", numHiddenLayers), ("num_attention_heads", numAttentionHeads),
                     ("max_position_embeddings", maxPositionEmbeddings), ("type_vocab_size", typeVocabSize)]
            .filter { $0.1 <= 0 }.map { "\($0.0) must be positive, got \($0.1)" }
        if !(layerNormEps > 0 && layerNormEps.isFinite) {
            found.append("layer_norm_eps must be a small positive number, got \(layerNormEps)")
        }
        if found.isEmpty && hiddenSize % numAttentionHeads != 0 {
            found.append("hidden_size \(hiddenSize) is not divisible by num_attention_heads \(numAttentionHeads)")
        }
        if found.isEmpty && maxPositionEmbeddings < 2 {
            found.append("max_position_embeddings \(maxPositionEmbeddings) leaves no room for [CLS] and [SEP]")
        }
        return found
    }
}
