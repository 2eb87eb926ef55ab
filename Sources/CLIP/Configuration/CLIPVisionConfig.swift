/// The vision tower's `vision_config` from a transformers `CLIPModel` config.json.
///
/// Absent keys take transformers' `CLIPVisionConfig` defaults (the ViT-B/32 tower), because
/// old configs omit many of them. `image_size` and `patch_size` may be an integer or a square
/// `[n, n]` pair; `hidden_act` must be one of the activations `Activation` implements.
public struct CLIPVisionConfig: Codable, Sendable, Equatable {
    public var hiddenSize = 768
    public var intermediateSize = 3072
    public var numHiddenLayers = 12
    public var numAttentionHeads = 12
    public var numChannels = 3
    public var imageSize = 224
    public var patchSize = 32
    public var hiddenAct = Activation.quickGELU
    public var layerNormEps = 1e-5
    /// The sub-config's own copy; `CLIPModel` uses `CLIPConfig.projectionDim` instead.
    public var projectionDim = 512

    enum CodingKeys: String, CodingKey {
        case hiddenSize = "hidden_size"
        case intermediateSize = "intermediate_size"
        case numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads"
        case numChannels = "num_channels"
        case imageSize = "image_size"
        case patchSize = "patch_size"
        case hiddenAct = "hidden_act"
        case layerNormEps = "layer_norm_eps"
        case projectionDim = "projection_dim"
    }

    /// The defaults (transformers' `CLIPVisionConfig()`), to adjust field by field.
    public init() {}

    public init(from decoder: Swift.Decoder) throws {
        let keys = try decoder.container(keyedBy: CodingKeys.self)
        hiddenSize = try keys.decodeIfPresent(Int.self, forKey: .hiddenSize) ?? hiddenSize
        intermediateSize = try keys.decodeIfPresent(Int.self, forKey: .intermediateSize) ?? intermediateSize
        numHiddenLayers = try keys.decodeIfPresent(Int.self, forKey: .numHiddenLayers) ?? numHiddenLayers
        numAttentionHeads = try keys.decodeIfPresent(Int.self, forKey: .numAttentionHeads) ?? numAttentionHeads
        numChannels = try keys.decodeIfPresent(Int.self, forKey: .numChannels) ?? numChannels
        imageSize = try keys.decodeSquareSizeIfPresent(forKey: .imageSize) ?? imageSize
        patchSize = try keys.decodeSquareSizeIfPresent(forKey: .patchSize) ?? patchSize
        hiddenAct = try keys.decodeActivationIfPresent(forKey: .hiddenAct) ?? hiddenAct
        layerNormEps = try keys.decodeIfPresent(Double.self, forKey: .layerNormEps) ?? layerNormEps
        projectionDim = try keys.decodeIfPresent(Int.self, forKey: .projectionDim) ?? projectionDim
    }

    /// Problems that make the tower impossible to build, worded after `vision_config.`.
    func problems() -> [String] {
        var found = towerProblems([
            ("hidden_size", hiddenSize), ("intermediate_size", intermediateSize),
            ("num_hidden_layers", numHiddenLayers), ("num_attention_heads", numAttentionHeads),
            ("num_channels", numChannels), ("image_size", imageSize), ("patch_size", patchSize),
        ], epsilon: layerNormEps, hiddenSize: hiddenSize, heads: numAttentionHeads)
        if found.isEmpty && imageSize % patchSize != 0 {
            found.append("image_size \(imageSize) is not divisible by patch_size \(patchSize)")
        }
        return found
    }
}
