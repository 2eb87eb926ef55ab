import Foundation

/// `CLIPVisionEmbeddings` / `OwlViTVisionEmbeddings` (`…embeddings`): a bias-free patch
/// convolution (stride = kernel = patch) as im2col + one GEMM, the class token in front,
/// learned positions added. Shared by CLIP's `VisionTransformer` and OWL's vision tower.
/// Owns its im2col scratch (grown for the largest batch): not reentrant.
final class PatchEmbedding {
    let spec: VisionSpec
    let classEmbedding: Tensor     // embeddings.class_embedding: [D]
    let patchEmbedding: Tensor     // embeddings.patch_embedding.weight: [D, C, P, P], no bias
    let positionEmbedding: Tensor  // embeddings.position_embedding.weight: [T, D]
    private var patches = FloatBuffer(count: 0)   // [batch·Np, C·P·P]
    private var patchOut = FloatBuffer(count: 0)  // [batch·Np, D]

    init(_ source: WeightSource, _ prefix: String, spec s: VisionSpec) throws {
        spec = s
        classEmbedding = try source.tensor("\(prefix).class_embedding", shape: [s.dim], initializer: .normal(std: 0.02))
        patchEmbedding = try source.tensor("\(prefix).patch_embedding.weight",
                                           shape: [s.dim, s.channels, s.patch, s.patch], initializer: .normal(std: 0.02))
        positionEmbedding = try source.tensor("\(prefix).position_embedding.weight",
                                              shape: [s.tokens, s.dim], initializer: .normal(std: 0.02))
        try source.acceptBuffer("\(prefix).position_ids", shape: [1, s.tokens])
    }

    /// pixels: [batch, C, S, S] → x: [batch·T, D] = [class; patches·Wᵀ] + positions.
    func callAsFunction(_ pixels: UnsafePointer<Float>, batch: Int, into x: UnsafeMutablePointer<Float>) {
        let s = spec, d = s.dim, t = s.tokens, np = t - 1, g = s.patchesPerSide, p = s.patch
        let k = s.channels * p * p, img = s.imageSize
        if patches.count < batch * np * k {
            patches = FloatBuffer(count: batch * np * k)
            patchOut = FloatBuffer(count: batch * np * d)
        }
        let pp = patches.pointer, po = patchOut.pointer
        // im2col in the weight's (c, ky, kx) order.
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
        Kernels.gemmXWt(pp, patchEmbedding.pointer, po, rows: batch * np, inF: k, outF: d, accumulate: false)
        let pos = positionEmbedding.pointer, cls = classEmbedding.pointer
        parallelChunks(batch * t, minimumPerChunk: 64) { range in
            for row in range {
                let b = row / t, ti = row % t
                let src = ti == 0 ? UnsafePointer(cls) : UnsafePointer(po + (b * np + ti - 1) * d)
                let dst = x + row * d, pe = pos + ti * d
                for j in 0..<d { dst[j] = src[j] + pe[j] }
            }
        }
    }
}
