import Foundation

/// Sizes of a CLIP text tower, resolved from `text_config`.
struct TextSpec {
    var dim: Int, layers: Int, heads: Int, intermediate: Int
    var vocabSize: Int, maxPositions: Int, eosTokenId: Int
    var eps: Float, activation: Activation
}

/// `CLIPTextTransformer` (`text_model`): token + position embeddings, causal encoder,
/// `final_layer_norm`, pooling at the EOS position.
///
/// Texts are packed one after another with no padding: with a causal mask, tokens after the
/// EOS never influence it, so the pooled output equals transformers' padded computation.
final class TextTransformer {
    let spec: TextSpec
    let tokenEmbedding: Tensor     // embeddings.token_embedding.weight: [V, D]
    let positionEmbedding: Tensor  // embeddings.position_embedding.weight: [maxPos, D]
    let encoder: TransformerEncoder
    let finalLayerNorm: LayerNorm
    private let scratch: EncoderScratch

    init(_ source: WeightSource, _ prefix: String, spec s: TextSpec) throws {
        spec = s
        tokenEmbedding = try source.tensor("\(prefix).embeddings.token_embedding.weight", shape: [s.vocabSize, s.dim], initializer: .normal(std: 0.02))
        positionEmbedding = try source.tensor("\(prefix).embeddings.position_embedding.weight", shape: [s.maxPositions, s.dim], initializer: .normal(std: 0.01))
        try source.acceptBuffer("\(prefix).embeddings.position_ids", shape: [1, s.maxPositions])
        encoder = try TransformerEncoder(source, "\(prefix).encoder", layers: s.layers, dim: s.dim, heads: s.heads,
                              intermediate: s.intermediate, eps: s.eps, activation: s.activation)
        finalLayerNorm = try LayerNorm(source, "\(prefix).final_layer_norm", dim: s.dim, eps: s.eps)
        scratch = EncoderScratch(dim: s.dim, intermediate: s.intermediate, heads: s.heads)
    }

    /// The row transformers pools for these ids: the first `eos_token_id`, or, for legacy
    /// configs whose `eos_token_id` is 2, the position of the largest id (`argmax`, first wins).
    func poolingIndex(_ ids: [Int32]) -> Int {
        if spec.eosTokenId == 2 {
            var best = 0
            for (i, v) in ids.enumerated() where v > ids[best] { best = i }
            return best
        }
        return ids.firstIndex(of: Int32(truncatingIfNeeded: spec.eosTokenId)) ?? 0
    }

    /// ids: one array per text (1...maxPositions ids each, all < vocabSize; checked by the
    /// caller) → pooled: [count, D] written to `out`. Not reentrant.
    func callAsFunction(_ texts: [[Int32]], into out: UnsafeMutablePointer<Float>) {
        let d = spec.dim
        let packed = scratch.reserve(packing: texts)
        let segments = packed.segments, rows = packed.rows, x = scratch.input.pointer
        packed.embed(texts, table: tokenEmbedding.pointer, positions: positionEmbedding.pointer, shared: nil, dim: d, into: x)
        // Layer norm is per row, so normalising only the pooled rows gives the same result.
        let pooledRows = texts.enumerated().map { segments[$0.offset].start + poolingIndex($0.element) }
        let pooled = FloatBuffer(count: texts.count * d)
        encoder(x, rows: rows, segments: segments, pooledRows: pooledRows, causal: true, scratch: scratch, into: pooled.pointer)
        finalLayerNorm(pooled.pointer, rows: texts.count, into: out)
    }
}
