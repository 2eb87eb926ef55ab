import Foundation

/// Sizes of a CLIP vision tower, resolved from `vision_config`.
struct VisionSpec {
    var dim: Int, layers: Int, heads: Int, intermediate: Int
    var patch: Int, imageSize: Int, channels: Int
    var eps: Float, activation: Activation
    var patchesPerSide: Int { imageSize / patch }
    var tokens: Int { patchesPerSide * patchesPerSide + 1 }
}

/// `CLIPVisionTransformer` (`vision_model`): patch embedding, class token, position embedding,
/// `pre_layrnorm` (sic, the checkpoint's spelling), encoder, `post_layernorm` on the class token.
final class VisionTransformer {
    let spec: VisionSpec
    let embeddings: PatchEmbedding
    let preLayerNorm: LayerNorm
    let encoder: TransformerEncoder
    let postLayerNorm: LayerNorm
    private let scratch: EncoderScratch
    private var hidden = FloatBuffer(count: 0)

    init(_ source: WeightSource, _ prefix: String, spec s: VisionSpec) throws {
        spec = s
        embeddings = try PatchEmbedding(source, "\(prefix).embeddings", spec: s)
        preLayerNorm = try LayerNorm(source, "\(prefix).pre_layrnorm", dim: s.dim, eps: s.eps)
        encoder = try TransformerEncoder(source, "\(prefix).encoder", layers: s.layers, dim: s.dim, heads: s.heads,
                              intermediate: s.intermediate, eps: s.eps, activation: s.activation)
        postLayerNorm = try LayerNorm(source, "\(prefix).post_layernorm", dim: s.dim, eps: s.eps)
        scratch = EncoderScratch(dim: s.dim, intermediate: s.intermediate, heads: s.heads)
    }

    /// pixels: [batch, C, S, S] → pooled: [batch, D] (post-LN class token), written to `out`.
    /// Not reentrant: callers serialise (CLIPModel holds a lock).
    func callAsFunction(_ pixels: UnsafePointer<Float>, batch: Int, into out: UnsafeMutablePointer<Float>) {
        let s = spec, d = s.dim, t = s.tokens
        let rows = batch * t
        let cores = ProcessInfo.processInfo.activeProcessorCount
        scratch.reserve(rows: rows, maxLength: t, workers: cores)
        if hidden.count < rows * d { hidden = FloatBuffer(count: rows * d) }
        let x = hidden.pointer
        embeddings(pixels, batch: batch, into: x)
        preLayerNorm(x, rows: rows, into: x)
        let segments = (0..<batch).map { Segment(start: $0 * t, length: t) }
        // pooled = post_layernorm(hidden[:, 0, :]): only the class-token rows are needed.
        let pooled = FloatBuffer(count: batch * d)
        encoder(x, rows: rows, segments: segments, pooledRows: segments.map(\.start), causal: false,
                scratch: scratch, into: pooled.pointer)
        postLayerNorm(pooled.pointer, rows: batch, into: out)
    }
}
