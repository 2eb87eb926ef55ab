import Foundation

// Decoding helpers for config.json values that transformers accepts in more than one shape.
// Reading a file and turning `DecodingError` into one line: JSONConfigFile.swift.

extension KeyedDecodingContainer {
    /// An integer, or a square `[n, n]` pair (transformers allows both for sizes).
    func decodeSquareSizeIfPresent(forKey key: Key) throws -> Int? {
        if let single = try? decodeIfPresent(Int.self, forKey: key) { return single }
        guard let pair = try decodeIfPresent([Int].self, forKey: key) else { return nil }
        guard pair.count == 2, pair[0] == pair[1] else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "\(pair) is not supported; only square sizes (an integer or [n, n])")
        }
        return pair[0]
    }

    /// A token id given as an integer or a one-element list.
    func decodeSingleTokenIfPresent(forKey key: Key) throws -> Int? {
        if let single = try? decodeIfPresent(Int.self, forKey: key) { return single }
        guard let list = try decodeIfPresent([Int].self, forKey: key) else { return nil }
        guard list.count == 1 else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "\(list) is not supported; CLIP pools at a single end-of-text token")
        }
        return list[0]
    }

    /// A `hidden_act` name this module implements.
    func decodeActivationIfPresent(forKey key: Key) throws -> Activation? {
        guard let name = try decodeIfPresent(String.self, forKey: key) else { return nil }
        guard let activation = Activation(rawValue: name) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self,
                debugDescription: "\"\(name)\" is not supported (expected quick_gelu, gelu, gelu_pytorch_tanh or gelu_new)")
        }
        return activation
    }
}

extension KeyedDecodingContainer {
    /// Whether `key` is present and not null.
    func hasValue(_ key: Key) throws -> Bool {
        try contains(key) && !decodeNil(forKey: key)
    }

    /// transformers' legacy rule for `text_config_dict` / `vision_config_dict`: a non-null
    /// legacy key replaces the current one.
    func preferring(_ legacy: Key, over current: Key) throws -> Key {
        try hasValue(legacy) ? legacy : current
    }
}

/// The top-level keys of a two-tower (`CLIPModel`, `ChineseCLIPModel`) config.json.
enum TwoTowerConfigKey: String, CodingKey {
    case visionConfig = "vision_config"
    case textConfig = "text_config"
    case visionConfigDict = "vision_config_dict"
    case textConfigDict = "text_config_dict"
    case projectionDim = "projection_dim"
    case logitScaleInitValue = "logit_scale_init_value"
    case modelType = "model_type"
}

/// The keys every text tower's `text_config` shares (CLIP's and Chinese-CLIP's BERT tower).
enum TextTowerKey: String, CodingKey {
    case vocabSize = "vocab_size"
    case hiddenSize = "hidden_size"
    case intermediateSize = "intermediate_size"
    case numHiddenLayers = "num_hidden_layers"
    case numAttentionHeads = "num_attention_heads"
    case maxPositionEmbeddings = "max_position_embeddings"
    case hiddenAct = "hidden_act"
    case layerNormEps = "layer_norm_eps"
    case padTokenId = "pad_token_id"
}

/// The sizes, activation, epsilon and pad token every text tower config has (`CLIPTextConfig`,
/// `ChineseCLIPTextConfig`), decoded once for both.
protocol TextTowerConfig {
    var vocabSize: Int { get set }
    var hiddenSize: Int { get set }
    var intermediateSize: Int { get set }
    var numHiddenLayers: Int { get set }
    var numAttentionHeads: Int { get set }
    var maxPositionEmbeddings: Int { get set }
    var hiddenAct: Activation { get set }
    var layerNormEps: Double { get set }
    var padTokenId: Int? { get set }
}

extension TextTowerConfig {
    /// Overwrites the shared fields present in `decoder`'s object: an absent key keeps the
    /// default; an explicit null `pad_token_id` means "no such token", as in transformers.
    mutating func decodeTowerFields(from decoder: Swift.Decoder) throws {
        let keys = try decoder.container(keyedBy: TextTowerKey.self)
        vocabSize = try keys.decodeIfPresent(Int.self, forKey: .vocabSize) ?? vocabSize
        hiddenSize = try keys.decodeIfPresent(Int.self, forKey: .hiddenSize) ?? hiddenSize
        intermediateSize = try keys.decodeIfPresent(Int.self, forKey: .intermediateSize) ?? intermediateSize
        numHiddenLayers = try keys.decodeIfPresent(Int.self, forKey: .numHiddenLayers) ?? numHiddenLayers
        numAttentionHeads = try keys.decodeIfPresent(Int.self, forKey: .numAttentionHeads) ?? numAttentionHeads
        maxPositionEmbeddings = try keys.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings) ?? maxPositionEmbeddings
        hiddenAct = try keys.decodeActivationIfPresent(forKey: .hiddenAct) ?? hiddenAct
        layerNormEps = try keys.decodeIfPresent(Double.self, forKey: .layerNormEps) ?? layerNormEps
        if keys.contains(.padTokenId) { padTokenId = try keys.decodeIfPresent(Int.self, forKey: .padTokenId) }
    }

    /// Writes the shared fields under their transformers keys (a nil `pad_token_id` is omitted).
    func encodeTowerFields(to encoder: Swift.Encoder) throws {
        var keys = encoder.container(keyedBy: TextTowerKey.self)
        try keys.encode(vocabSize, forKey: .vocabSize)
        try keys.encode(hiddenSize, forKey: .hiddenSize)
        try keys.encode(intermediateSize, forKey: .intermediateSize)
        try keys.encode(numHiddenLayers, forKey: .numHiddenLayers)
        try keys.encode(numAttentionHeads, forKey: .numAttentionHeads)
        try keys.encode(maxPositionEmbeddings, forKey: .maxPositionEmbeddings)
        try keys.encode(hiddenAct, forKey: .hiddenAct)
        try keys.encode(layerNormEps, forKey: .layerNormEps)
        try keys.encodeIfPresent(padTokenId, forKey: .padTokenId)
    }
}
