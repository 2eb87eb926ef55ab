import Foundation

/// Sizes of a Chinese-CLIP (BERT) text tower, resolved from `text_config`.
struct BertTextSpec {
    var dim: Int, layers: Int, heads: Int, intermediate: Int
    var vocabSize: Int, maxPositions: Int, typeVocabSize: Int
    var eps: Float, activation: Activation
}

/// `ChineseCLIPTextModel` without its pooler (`text_model`), as `ChineseCLIPModel` builds it:
/// word + absolute position + token-type embeddings, `embeddings.LayerNorm`, post-LN BERT
/// layers, and the last hidden state of the first token ([CLS]) as the pooled output
/// (`get_text_features` takes `last_hidden_state[:, 0, :]`, not the tanh pooler).
///
/// Texts are packed one after another with no padding, each attending only to itself. That
/// is what transformers' padded batch computes for the real tokens: its bidirectional
/// attention mask gives padded keys zero weight, position ids restart at 0 for every text,
/// and token types are all 0; padded rows are computed there but never pooled.
final class ChineseCLIPTextTransformer: TextTower {
    let spec: BertTextSpec
    let wordEmbedding: Tensor       // embeddings.word_embeddings.weight: [V, D]
    let positionEmbedding: Tensor   // embeddings.position_embeddings.weight: [maxPos, D]
    let tokenTypeEmbedding: Tensor  // embeddings.token_type_embeddings.weight: [types, D]
    let embeddingLayerNorm: LayerNorm
    let layers: [BertLayer]
    private let scratch: EncoderScratch

    init(_ source: WeightSource, _ prefix: String, spec s: BertTextSpec) throws {
        spec = s
        let e = "\(prefix).embeddings"
        wordEmbedding = try source.tensor("\(e).word_embeddings.weight", shape: [s.vocabSize, s.dim], initializer: .normal(std: 0.02))
        positionEmbedding = try source.tensor("\(e).position_embeddings.weight", shape: [s.maxPositions, s.dim], initializer: .normal(std: 0.02))
        tokenTypeEmbedding = try source.tensor("\(e).token_type_embeddings.weight", shape: [s.typeVocabSize, s.dim], initializer: .normal(std: 0.02))
        embeddingLayerNorm = try LayerNorm(source, "\(e).LayerNorm", dim: s.dim, eps: s.eps)
        // Non-persistent buffers that older checkpoints saved anyway.
        try source.acceptBuffer("\(e).position_ids", shape: [1, s.maxPositions])
        try source.acceptBuffer("\(e).token_type_ids", shape: [1, s.maxPositions])
        layers = try (0..<s.layers).map {
            try BertLayer(source, "\(prefix).encoder.layer.\($0)", dim: s.dim, heads: s.heads,
                          intermediate: s.intermediate, eps: s.eps, activation: s.activation)
        }
        // `ChineseCLIPModel` builds its text model without the pooler, so transformers ignores
        // pooler weights a checkpoint may carry; so does this tower.
        try source.acceptBuffer("\(prefix).pooler.dense.weight", shape: [s.dim, s.dim])
        try source.acceptBuffer("\(prefix).pooler.dense.bias", shape: [s.dim])
        scratch = EncoderScratch(dim: s.dim, intermediate: s.intermediate, heads: s.heads)
    }

    var dim: Int { spec.dim }

    /// Chinese-CLIP pools the first token ([CLS]) of every text.
    func poolingIndex(_ ids: [Int32]) -> Int { 0 }

    /// ids: one array per text (1...maxPositions ids each, all < vocabSize; checked by the
    /// caller) → pooled: [count, D] written to `out`. Not reentrant.
    func callAsFunction(_ texts: [[Int32]], into out: UnsafeMutablePointer<Float>) {
        let d = spec.dim
        let packed = scratch.reserve(packing: texts)
        let segments = packed.segments, rows = packed.rows, x = scratch.input.pointer
        // Every token is of type 0.
        packed.embed(texts, table: wordEmbedding.pointer, positions: positionEmbedding.pointer,
                     shared: tokenTypeEmbedding.pointer, dim: d, into: x)
        embeddingLayerNorm(x, rows: rows, into: x)
        let pooledRows = segments.map(\.start)
        guard let last = layers.last else {
            for (i, r) in pooledRows.enumerated() { (out + i * d).update(from: x + r * d, count: d) }
            return
        }
        for layer in layers.dropLast() {
            layer(x, rows: rows, segments: segments, scratch: scratch)
        }
        last.pooledOnly(x, rows: rows, segments: segments, pooledRows: pooledRows, scratch: scratch, into: out)
    }
}
