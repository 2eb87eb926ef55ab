/// The BERT-style `text_config` of a `ChineseCLIPModel` config.json (RoBERTa-wwm-ext).
///
/// Absent keys take transformers' `ChineseCLIPTextConfig` defaults (BERT-base sizes).
public struct ChineseCLIPTextConfig: TextTowerConfig, Decodable, Sendable, Equatable {
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

    /// The BERT-only key; the others are every text tower's (`TextTowerKey`).
    enum CodingKeys: String, CodingKey {
        case typeVocabSize = "type_vocab_size"
    }

    /// The defaults (transformers' `ChineseCLIPTextConfig()`), to adjust field by field.
    public init() {}

    public init(from decoder: Swift.Decoder) throws {
        try decodeTowerFields(from: decoder)
        let keys = try decoder.container(keyedBy: CodingKeys.self)
        typeVocabSize = try keys.decodeIfPresent(Int.self, forKey: .typeVocabSize) ?? typeVocabSize
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
