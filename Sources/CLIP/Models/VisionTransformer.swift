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
    let classEmbedding: Tensor     // embeddings.class_embedding: [D]
    let patchEmbedding: Tensor     // embeddings.patch_embedding.weight: [D, C, P, P], no bias
    let positionEmbedding: Tensor  // embeddings.position_embedding.weight: [T, D]
    let preLayerNorm: LayerNorm
    let encoder: TransformerEncoder
    let postLayerNorm: LayerNorm
    private let scratch: EncoderScratch
    private var hidden = FloatBuffer(count: 0)
    private var patches = FloatBuffer(count: 0)
    private var patchOut = FloatBuffer(count: 0)

    init(_ source: WeightSource, _ prefix: String, spec s: VisionSpec) throws {
        spec = s
        classEmbedding = try source.tensor("\(prefix).embeddings.class_embedding", shape: [s.dim], initializer: .normal(std: 0.02))
        patchEmbedding = try source.tensor("\(prefix).embeddings.patch_embedding.weight",
                                           shape: [s.dim, s.channels, s.patch, s.patch], initializer: .normal(std: 0.02))
        positionEmbedding = try source.tensor("\(prefix).embeddings.position_embedding.weight",
                                              shape: [s.tokens, s.dim], initializer: .normal(std: 0.02))
        try source.acceptBuffer("\(prefix).embeddings.position_ids", shape: [1, s.tokens])
        preLayerNorm = try LayerNorm(source, "\(prefix).pre_layrnorm", dim: s.dim, eps: s.eps)
        encoder = try TransformerEncoder(source, "\(prefix).encoder", layers: s.layers, dim: s.dim, heads: s.heads,
                              intermediate: s.intermediate, eps: s.eps, activation: s.activation)
        postLayerNorm = try LayerNorm(source, "\(prefix).post_layernorm", dim: s.dim, eps: s.eps)
        scratch = EncoderScratch(dim: s.dim, intermediate: s.intermediate)
    }

    /// pixels: [batch, C, S, S] → pooled: [batch, D] (post-LN class token), written to `out`.
    /// Not reentrant: callers serialise (CLIPModel holds a lock).
    func callAsFunction(_ pixels: UnsafePointer<Float>, batch: Int, into out: UnsafeMutablePointer<Float>) {
        let s = spec, d = s.dim, t = s.tokens, np = t - 1, g = s.patchesPerSide, p = s.patch
        let k = s.channels * p * p
        let rows = batch * t
        let cores = ProcessInfo.processInfo.activeProcessorCount
        scratch.reserve(rows: rows, maxLength: t, workers: cores)
        if hidden.count < rows * d { hidden = FloatBuffer(count: rows * d) }
        if patches.count < batch * np * k {
            patches = FloatBuffer(count: batch * np * k)
            patchOut = FloatBuffer(count: batch * np * d)
        }
        // im2col. patches: [batch·Np, C·P·P] in the weight's (c, ky, kx) order.
        let pp = patches.pointer, img = s.imageSize
        parallelChunks(batch * np, minimumPerChunk: 16) { range in
            for row in range {
                let b = row / np, pi = row % np, py = pi / g, px = pi % g
                var dst = pp + row * k
                for c in 0..<s.channels {
                    let plane = pixels + (b * s.channels + c) * img * img
                    for ky in 0..<p {
                        dst.update(from: plane + (py * p + ky) * img + px * p, count: p)
                        dst += p
                    }
                }
            }
        }
        // patchOut: [batch·Np, D] = patches · Wᵀ, W viewed as [D, C·P·P].
        Kernels.gemmXWt(pp, patchEmbedding.pointer, patchOut.pointer, rows: batch * np, inF: k, outF: d, accumulate: false)
        // hidden: [batch·T, D] = [class; patches] + positions.
        let x = hidden.pointer, po = patchOut.pointer, pos = positionEmbedding.pointer, cls = classEmbedding.pointer
        parallelChunks(rows, minimumPerChunk: 64) { range in
            for row in range {
                let b = row / t, ti = row % t
                let src = ti == 0 ? UnsafePointer(cls) : UnsafePointer(po + (b * np + ti - 1) * d)
                let dst = x + row * d, pe = pos + ti * d
                for j in 0..<d { dst[j] = src[j] + pe[j] }
            }
        }
        preLayerNorm(x, rows: rows, into: x)
        let segments = (0..<batch).map { Segment(start: $0 * t, length: t) }
        // pooled = post_layernorm(hidden[:, 0, :]): only the class-token rows are needed.
        let pooled = FloatBuffer(count: batch * d)
        encoder(x, rows: rows, segments: segments, pooledRows: segments.map(\.start), causal: false,
                scratch: scratch, into: pooled.pointer)
        postLayerNorm(pooled.pointer, rows: batch, into: out)
    }
}
