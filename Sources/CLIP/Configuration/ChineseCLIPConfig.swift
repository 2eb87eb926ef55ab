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

    typealias CodingKeys = TwoTowerConfigKey

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
        // transformers builds absent sub-configs from their defaults.
        let visionKey = try keys.preferring(.visionConfigDict, over: .visionConfig)
        let textKey = try keys.preferring(.textConfigDict, over: .textConfig)
        visionConfig = try keys.hasValue(visionKey) ? keys.decode(CLIPVisionConfig.self, forKey: visionKey) : CLIPVisionConfig()
        textConfig = try keys.hasValue(textKey) ? keys.decode(ChineseCLIPTextConfig.self, forKey: textKey) : ChineseCLIPTextConfig()
        projectionDim = try keys.decodeIfPresent(Int.self, forKey: .projectionDim) ?? 512
        logitScaleInitValue = try keys.decodeIfPresent(Double.self, forKey: .logitScaleInitValue) ?? 2.6592
    }

    /// Reads and validates a config.json whose `model_type` is "chinese_clip".
    ///
    /// Throws a one-line `CLIPError` naming the file when it cannot be read, is not JSON, has
    /// a value of the wrong type or an unsupported `hidden_act`, or describes an impossible
    /// model.
    public static func load(from url: URL) throws -> ChineseCLIPConfig {
        try JSONConfigFile.load(ChineseCLIPConfig.self, from: url, what: CLIPConfig.modelConfigPurpose) { $0.problems() }
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
        modelProblems(vision: visionConfig.problems(), text: textConfig.problems(),
                      projectionDim: projectionDim, logitScaleInitValue: logitScaleInitValue)
    }
}
