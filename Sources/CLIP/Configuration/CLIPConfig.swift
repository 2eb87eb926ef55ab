import Foundation

/// A CLIP model's architecture, decoded from a transformers `CLIPModel` config.json.
///
/// ```swift
/// let config = try CLIPConfig.load(from: folder.appendingPathComponent("config.json"))
/// config.visionConfig.patchSize  // 32 for openai/clip-vit-base-patch32
/// config.projectionDim           // 512: the shared embedding width
/// ```
///
/// Decoding follows transformers (5.x `configuration_clip.py`): absent keys take the
/// `CLIPVisionConfig` / `CLIPTextConfig` defaults, and a non-null legacy `text_config_dict` /
/// `vision_config_dict` replaces the matching sub-config entirely (its own absent keys taking
/// defaults, as `CLIPConfig.__post_init__` does). One deliberate extension: when the top level
/// has no `projection_dim` but both sub-configs state the same one, that value is used
/// (transformers would fall back to 512 and then fail to load the projection weights).
public struct CLIPConfig: Codable, Sendable, Equatable {
    public var visionConfig: CLIPVisionConfig
    public var textConfig: CLIPTextConfig
    /// Width of the shared image/text embedding space (`visual_projection` output).
    public var projectionDim: Int
    /// Initial value of the `logit_scale` parameter (its log): used only without weights.
    public var logitScaleInitValue: Double
    public var modelType: String

    enum CodingKeys: String, CodingKey {
        case visionConfig = "vision_config"
        case textConfig = "text_config"
        case visionConfigDict = "vision_config_dict"
        case textConfigDict = "text_config_dict"
        case projectionDim = "projection_dim"
        case logitScaleInitValue = "logit_scale_init_value"
        case modelType = "model_type"
    }

    /// transformers' default when `projection_dim` is absent.
    static let defaultProjectionDim = 512

    public init(visionConfig: CLIPVisionConfig, textConfig: CLIPTextConfig, projectionDim: Int,
                logitScaleInitValue: Double = 2.6592, modelType: String = "clip") {
        self.visionConfig = visionConfig
        self.textConfig = textConfig
        self.projectionDim = projectionDim
        self.logitScaleInitValue = logitScaleInitValue
        self.modelType = modelType
    }

    public init(from decoder: Swift.Decoder) throws {
        let keys = try decoder.container(keyedBy: CodingKeys.self)
        modelType = try keys.decodeIfPresent(String.self, forKey: .modelType) ?? "clip"
        guard modelType == "clip" else {
            throw DecodingError.dataCorruptedError(
                forKey: .modelType, in: keys,
                debugDescription: "\"\(modelType)\" is not a CLIPModel config (expected \"clip\")")
        }
        for required in [CodingKeys.visionConfig, .textConfig] where !keys.contains(required) {
            throw DecodingError.keyNotFound(required, .init(
                codingPath: keys.codingPath, debugDescription: "a CLIPModel config has both towers"))
        }
        let visionKey: CodingKeys = try Self.hasValue(keys, .visionConfigDict) ? .visionConfigDict : .visionConfig
        let textKey: CodingKeys = try Self.hasValue(keys, .textConfigDict) ? .textConfigDict : .textConfig
        visionConfig = try keys.decode(CLIPVisionConfig.self, forKey: visionKey)
        textConfig = try keys.decode(CLIPTextConfig.self, forKey: textKey)
        logitScaleInitValue = try keys.decodeIfPresent(Double.self, forKey: .logitScaleInitValue) ?? 2.6592
        if let stated = try keys.decodeIfPresent(Int.self, forKey: .projectionDim) {
            projectionDim = stated
        } else {
            let vision = try Self.statedProjectionDim(keys, visionKey)
            let text = try Self.statedProjectionDim(keys, textKey)
            if let vision, vision == text {
                projectionDim = vision
            } else {
                projectionDim = Self.defaultProjectionDim
            }
        }
    }

    public func encode(to encoder: Swift.Encoder) throws {
        var keys = encoder.container(keyedBy: CodingKeys.self)
        try keys.encode(visionConfig, forKey: .visionConfig)
        try keys.encode(textConfig, forKey: .textConfig)
        try keys.encode(projectionDim, forKey: .projectionDim)
        try keys.encode(logitScaleInitValue, forKey: .logitScaleInitValue)
        try keys.encode(modelType, forKey: .modelType)
    }

    /// Reads and validates a config.json.
    ///
    /// Throws a one-line `CLIPError` naming the file when it cannot be read, is not JSON, is
    /// not a CLIPModel config, has a value of the wrong type or an unsupported `hidden_act`,
    /// or describes an impossible model (non-positive sizes, `hidden_size` not divisible by
    /// `num_attention_heads`, `image_size` not divisible by `patch_size`).
    public static func load(from url: URL) throws -> CLIPConfig {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            let reason = FileManager.default.fileExists(atPath: url.path) ? "cannot be read" : "not found"
            throw CLIPError("\(url.path): \(reason) (a model folder needs the transformers config.json)")
        }
        do {
            // JSONDecoder drops the parser's reason; JSONSerialization keeps it.
            _ = try JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed)
        } catch {
            let reason = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
            throw CLIPError("\(url.path): not valid JSON" + (reason.map { " (\($0))" } ?? ""))
        }
        let config: CLIPConfig
        do {
            config = try JSONDecoder().decode(CLIPConfig.self, from: data)
        } catch let error as DecodingError {
            throw CLIPError("\(url.path): \(error.configMessage)")
        }
        if let problem = config.problems().first {
            throw CLIPError("\(url.path): \(problem)")
        }
        return config
    }

    /// Everything that makes the model impossible to build, each naming its key.
    func problems() -> [String] {
        var found = visionConfig.problems().map { "vision_config.\($0)" }
            + textConfig.problems().map { "text_config.\($0)" }
        if projectionDim <= 0 { found.append("projection_dim must be positive, got \(projectionDim)") }
        if !logitScaleInitValue.isFinite { found.append("logit_scale_init_value must be finite") }
        return found
    }

    /// Whether `key` is present and not null.
    private static func hasValue(_ keys: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Bool {
        try keys.contains(key) && !keys.decodeNil(forKey: key)
    }

    /// `projection_dim` as written inside a sub-config, or nil when it is not there.
    private static func statedProjectionDim(_ keys: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Int? {
        let sub = try keys.nestedContainer(keyedBy: CLIPVisionConfig.CodingKeys.self, forKey: key)
        return try sub.decodeIfPresent(Int.self, forKey: .projectionDim)
    }
}

extension CLIPConfig {
    /// openai/clip-vit-base-patch32 as transformers resolves its config.json.
    public static func vitB32() -> CLIPConfig {
        var text = CLIPTextConfig()
        text.bosTokenId = 0  // legacy values written in OpenAI's ViT-B configs
        text.eosTokenId = 2
        return CLIPConfig(visionConfig: CLIPVisionConfig(), textConfig: text, projectionDim: 512)
    }

    /// openai/clip-vit-base-patch16: ViT-B/32 with 16-pixel patches.
    public static func vitB16() -> CLIPConfig {
        var config = vitB32()
        config.visionConfig.patchSize = 16
        return config
    }

    /// openai/clip-vit-large-patch14 as transformers resolves its config.json (whose
    /// `*_config_dict` entries reset the token ids to the defaults).
    public static func vitL14() -> CLIPConfig {
        var vision = CLIPVisionConfig()
        vision.hiddenSize = 1024
        vision.intermediateSize = 4096
        vision.numHiddenLayers = 24
        vision.numAttentionHeads = 16
        vision.patchSize = 14
        vision.projectionDim = 768
        var text = CLIPTextConfig()
        text.hiddenSize = 768
        text.intermediateSize = 3072
        text.numAttentionHeads = 12
        text.projectionDim = 768
        return CLIPConfig(visionConfig: vision, textConfig: text, projectionDim: 768)
    }
}
