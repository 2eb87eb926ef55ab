/// The text tower's `text_config` from a transformers `CLIPModel` config.json.
///
/// Absent keys take transformers' `CLIPTextConfig` defaults. `eos_token_id` is kept as
/// written: OpenAI's ViT-B configs say 2, which transformers treats as "legacy" and answers
/// by pooling at the highest token id (the end-of-text token 49407) instead.
public struct CLIPTextConfig: TextTowerConfig, Codable, Sendable, Equatable {
    public var vocabSize = 49408
    public var hiddenSize = 512
    public var intermediateSize = 2048
    public var numHiddenLayers = 12
    public var numAttentionHeads = 8
    public var maxPositionEmbeddings = 77
    public var hiddenAct = Activation.quickGELU
    public var layerNormEps = 1e-5
    public var padTokenId: Int? = 1
    public var bosTokenId: Int? = 49406
    public var eosTokenId = 49407
    /// The sub-config's own copy; `CLIPModel` uses `CLIPConfig.projectionDim` instead.
    public var projectionDim = 512

    /// CLIP-only keys; the others are every text tower's (`TextTowerKey`).
    enum CodingKeys: String, CodingKey {
        case bosTokenId = "bos_token_id"
        case eosTokenId = "eos_token_id"
        case projectionDim = "projection_dim"
    }

    /// The defaults (transformers' `CLIPTextConfig()`), to adjust field by field.
    public init() {}

    public init(from decoder: Swift.Decoder) throws {
        try decodeTowerFields(from: decoder)
        let keys = try decoder.container(keyedBy: CodingKeys.self)
        // An explicit null means "no such token" in transformers; only absence means default.
        if keys.contains(.bosTokenId) { bosTokenId = try keys.decodeIfPresent(Int.self, forKey: .bosTokenId) }
        eosTokenId = try keys.decodeSingleTokenIfPresent(forKey: .eosTokenId) ?? eosTokenId
        projectionDim = try keys.decodeIfPresent(Int.self, forKey: .projectionDim) ?? projectionDim
    }

    public func encode(to encoder: Swift.Encoder) throws {
        try encodeTowerFields(to: encoder)
        var keys = encoder.container(keyedBy: CodingKeys.self)
        try keys.encodeIfPresent(bosTokenId, forKey: .bosTokenId)
        try keys.encode(eosTokenId, forKey: .eosTokenId)
        try keys.encode(projectionDim, forKey: .projectionDim)
    }

    /// Problems that make the tower impossible to build, worded after `text_config.`.
    func problems() -> [String] {
        var found = towerProblems([
            ("vocab_size", vocabSize), ("hidden_size", hiddenSize), ("intermediate_size", intermediateSize),
            ("num_hidden_layers", numHiddenLayers), ("num_attention_heads", numAttentionHeads),
            ("max_position_embeddings", maxPositionEmbeddings),
        ], epsilon: layerNormEps, hiddenSize: hiddenSize, heads: numAttentionHeads)
        if found.isEmpty && !(0..<vocabSize).contains(eosTokenId) {
            found.append("eos_token_id \(eosTokenId) is outside the vocabulary (vocab_size \(vocabSize))")
        }
        return found
    }
}
