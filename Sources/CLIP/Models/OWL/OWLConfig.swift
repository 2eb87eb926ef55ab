import Foundation

/// Which open-vocabulary detector a config.json describes (`model_type`).
public enum OWLFamily: String, Sendable, Codable, CaseIterable {
    /// `OwlViTForObjectDetection` (google/owlvit-*): square resize, no objectness head.
    case owlvit
    /// `Owlv2ForObjectDetection` (google/owlv2-*): padded square input, objectness head.
    case owlv2

    /// Prefix of the backbone's weights (`owlvit.vision_model…`, `owlv2.text_model…`).
    var backbonePrefix: String { rawValue }
}

/// An OWL-ViT or OWLv2 detector's architecture, decoded from a transformers config.json
/// (`model_type` "owlvit" / "owlv2").
///
/// ```swift
/// let config = try OWLConfig.load(from: folder.appendingPathComponent("config.json"))
/// config.family                    // .owlv2
/// config.visionConfig.imageSize    // 960 for google/owlv2-base-patch16
/// ```
///
/// Absent keys take transformers 5.x's `OwlViT*Config` / `Owlv2*Config` defaults, which are
/// CLIP's except: vision `image_size` 768, `patch_size` 32 (OWL-ViT) or 16 (OWLv2); text
/// `max_position_embeddings` 16 and `pad_token_id` 0. The class head maps patch features to
/// the text tower's width and compares them with projected queries, so `projection_dim` must
/// equal `text_config.hidden_size` (it does in every released checkpoint).
public struct OWLConfig: Sendable, Equatable {
    public var family: OWLFamily
    public var visionConfig: CLIPVisionConfig
    public var textConfig: CLIPTextConfig
    /// Width of the query embeddings (`text_projection` output).
    public var projectionDim: Int
    /// Initial value of `logit_scale` (log space); used only for random weights.
    public var logitScaleInitValue: Double

    public init(family: OWLFamily, visionConfig: CLIPVisionConfig, textConfig: CLIPTextConfig,
                projectionDim: Int, logitScaleInitValue: Double = 2.6592) {
        self.family = family
        self.visionConfig = visionConfig
        self.textConfig = textConfig
        self.projectionDim = projectionDim
        self.logitScaleInitValue = logitScaleInitValue
    }

    /// transformers' `OwlViTVisionConfig()` / `Owlv2VisionConfig()`.
    public static func defaultVision(_ family: OWLFamily) -> CLIPVisionConfig {
        var v = CLIPVisionConfig()
        v.imageSize = 768
        v.patchSize = family == .owlvit ? 32 : 16
        return v
    }

    /// transformers' `OwlViTTextConfig()` (the same for OWLv2).
    public static var defaultText: CLIPTextConfig {
        var t = CLIPTextConfig()
        t.maxPositionEmbeddings = 16
        t.padTokenId = 0
        return t
    }

    /// google/owlvit-base-patch32: ViT-B/32 at 768 px (24×24 patches), 512-wide text.
    public static func owlvitB32() -> OWLConfig {
        OWLConfig(family: .owlvit, visionConfig: defaultVision(.owlvit), textConfig: defaultText, projectionDim: 512)
    }

    /// google/owlv2-base-patch16(-ensemble): ViT-B/16 at 960 px (60×60 patches).
    public static func owlv2B16() -> OWLConfig {
        var vision = defaultVision(.owlv2)
        vision.imageSize = 960
        return OWLConfig(family: .owlv2, visionConfig: vision, textConfig: defaultText, projectionDim: 512)
    }

    /// The `model_type` of a config.json when it names an OWL detector, else nil (also for an
    /// unreadable file: the caller's own loader reports that).
    public static func declaredFamily(_ url: URL) -> OWLFamily? {
        guard let data = try? Data(contentsOf: url),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let type = object["model_type"] as? String else { return nil }
        return OWLFamily(rawValue: type)
    }

    /// Reads and validates a config.json.
    ///
    /// - Throws: a one-line `CLIPError` naming the file when it cannot be read, is not JSON, is
    ///   not an OWL-ViT/OWLv2 config, has a value of the wrong type, or describes a model that
    ///   cannot be built (non-positive sizes, indivisible widths, `projection_dim` different
    ///   from the text width).
    public static func load(from url: URL) throws -> OWLConfig {
        try JSONConfigFile.load(OWLConfig.self, from: url, what: CLIPConfig.modelConfigPurpose) { $0.problems() }
    }

    /// Everything that makes the detector impossible to build, each naming its key.
    func problems() -> [String] {
        var found = visionConfig.problems().map { "vision_config.\($0)" }
            + textConfig.problems().map { "text_config.\($0)" }
        if projectionDim <= 0 { found.append("projection_dim must be positive, got \(projectionDim)") }
        if found.isEmpty && projectionDim != textConfig.hiddenSize {
            found.append("projection_dim \(projectionDim) differs from text_config.hidden_size \(textConfig.hiddenSize); the OWL class head compares patch embeddings of the text width with projected queries, so they must be equal")
        }
        if !logitScaleInitValue.isFinite { found.append("logit_scale_init_value must be finite") }
        return found
    }

    /// The vision tower's sizes.
    var visionSpec: VisionSpec { visionConfig.spec }

    /// The text tower's sizes. OWL pools at the largest token id (`argmax`, the end-of-text
    /// token) whatever `eos_token_id` says; `TextTransformer` does that for the legacy value 2.
    var textSpec: TextSpec {
        var spec = textConfig.spec
        spec.eosTokenId = 2
        return spec
    }
}

extension OWLConfig: Decodable {
    enum CodingKeys: String, CodingKey {
        case modelType = "model_type"
        case visionConfig = "vision_config"
        case textConfig = "text_config"
        case projectionDim = "projection_dim"
        case logitScaleInitValue = "logit_scale_init_value"
    }

    public init(from decoder: Swift.Decoder) throws {
        let keys = try decoder.container(keyedBy: CodingKeys.self)
        let type = try keys.decodeIfPresent(String.self, forKey: .modelType) ?? ""
        guard let family = OWLFamily(rawValue: type) else {
            throw DecodingError.dataCorruptedError(
                forKey: .modelType, in: keys,
                debugDescription: "\"\(type)\" is not an OWL detector config (expected \"owlvit\" or \"owlv2\")")
        }
        self.family = family
        visionConfig = try Self.decodeVision(keys, family: family)
        textConfig = try Self.decodeText(keys)
        projectionDim = try keys.decodeIfPresent(Int.self, forKey: .projectionDim) ?? 512
        logitScaleInitValue = try keys.decodeIfPresent(Double.self, forKey: .logitScaleInitValue) ?? 2.6592
    }

    /// `CLIPVisionConfig` decoding, with OWL's defaults for the keys that differ from CLIP's.
    private static func decodeVision(_ keys: KeyedDecodingContainer<CodingKeys>, family: OWLFamily) throws -> CLIPVisionConfig {
        let defaults = defaultVision(family)
        guard keys.contains(.visionConfig), try !keys.decodeNil(forKey: .visionConfig) else { return defaults }
        var vision = try keys.decode(CLIPVisionConfig.self, forKey: .visionConfig)
        let sub = try keys.nestedContainer(keyedBy: CLIPVisionConfig.CodingKeys.self, forKey: .visionConfig)
        if !sub.contains(.imageSize) { vision.imageSize = defaults.imageSize }
        if !sub.contains(.patchSize) { vision.patchSize = defaults.patchSize }
        return vision
    }

    /// `CLIPTextConfig` decoding, with OWL's defaults for the keys that differ from CLIP's.
    private static func decodeText(_ keys: KeyedDecodingContainer<CodingKeys>) throws -> CLIPTextConfig {
        let defaults = defaultText
        guard keys.contains(.textConfig), try !keys.decodeNil(forKey: .textConfig) else { return defaults }
        var text = try keys.decode(CLIPTextConfig.self, forKey: .textConfig)
        let sub = try keys.nestedContainer(keyedBy: TextTowerKey.self, forKey: .textConfig)
        if !sub.contains(.maxPositionEmbeddings) { text.maxPositionEmbeddings = defaults.maxPositionEmbeddings }
        if !sub.contains(.padTokenId) { text.padTokenId = defaults.padTokenId }
        return text
    }
}
