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
        var found = towerProblems([
            ("vocab_size", vocabSize), ("hidden_size", hiddenSize), ("intermediate_size", intermediateSize),
            ("num_hidden_layers", numHiddenLayers), ("num_attention_heads", numAttentionHeads),
            ("max_position_embeddings", maxPositionEmbeddings), ("type_vocab_size", typeVocabSize),
        ], epsilon: layerNormEps, hiddenSize: hiddenSize, heads: numAttentionHeads)
        if found.isEmpty && maxPositionEmbeddings < 2 {
            found.append("max_position_embeddings \(maxPositionEmbeddings) leaves no room for [CLS] and [SEP]")
        }
        return found
    }
}
