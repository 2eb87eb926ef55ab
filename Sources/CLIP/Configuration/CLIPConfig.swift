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

    typealias CodingKeys = TwoTowerConfigKey

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
        let visionKey = try keys.preferring(.visionConfigDict, over: .visionConfig)
        let textKey = try keys.preferring(.textConfigDict, over: .textConfig)
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
        try JSONConfigFile.load(CLIPConfig.self, from: url, what: modelConfigPurpose) { $0.problems() }
    }

    /// Said when a model folder's config.json is missing or unreadable.
    static let modelConfigPurpose = "a model folder needs the transformers config.json"

    /// Everything that makes the model impossible to build, each naming its key.
    func problems() -> [String] {
        modelProblems(vision: visionConfig.problems(), text: textConfig.problems(),
                      projectionDim: projectionDim, logitScaleInitValue: logitScaleInitValue)
    }

    /// `projection_dim` as written inside a sub-config, or nil when it is not there.
    private static func statedProjectionDim(_ keys: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Int? {
        let sub = try keys.nestedContainer(keyedBy: CLIPVisionConfig.CodingKeys.self, forKey: key)
        return try sub.decodeIfPresent(Int.self, forKey: .projectionDim)
    }
}
