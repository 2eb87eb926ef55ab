import Foundation

/// `OwlViTVisionTransformer` (`owlvit.vision_model` / `owlv2.vision_model`) followed by the
/// detector's token merge (`image_embedder`): every token through every layer,
/// `post_layernorm` on all tokens, each patch token multiplied by the class token, then the
/// detector's own `layer_norm`.
///
/// Differences from CLIP's `VisionTransformer`: the key is `pre_layernorm` (CLIP spells it
/// `pre_layrnorm`), and all patch outputs are needed, so the last layer is not pruned to the
/// class token.
final class OWLVisionTower {
    let spec: VisionSpec
    let embeddings: PatchEmbedding
    let preLayerNorm: LayerNorm
    let layers: [EncoderLayer]
    let postLayerNorm: LayerNorm
    let mergeLayerNorm: LayerNorm  // the detector's `layer_norm`
    private let scratch: EncoderScratch
    private var hidden = FloatBuffer(count: 0)

    /// - Parameters: `prefix` is the vision model's (`owlvit.vision_model`); `mergePrefix` the
    ///   detector's merge layer norm (`layer_norm`).
    init(_ source: WeightSource, _ prefix: String, mergePrefix: String, spec s: VisionSpec) throws {
        spec = s
        embeddings = try PatchEmbedding(source, "\(prefix).embeddings", spec: s)
        preLayerNorm = try LayerNorm(source, "\(prefix).pre_layernorm", dim: s.dim, eps: s.eps)
        layers = try TransformerEncoder(source, "\(prefix).encoder", layers: s.layers, dim: s.dim, heads: s.heads,
                                        intermediate: s.intermediate, eps: s.eps, activation: s.activation).layers
        postLayerNorm = try LayerNorm(source, "\(prefix).post_layernorm", dim: s.dim, eps: s.eps)
        mergeLayerNorm = try LayerNorm(source, mergePrefix, dim: s.dim, eps: s.eps)
        scratch = EncoderScratch(dim: s.dim, intermediate: s.intermediate, heads: s.heads)
    }

    /// Number of patch tokens per image (the detector's predictions per image).
    var patchCount: Int { spec.tokens - 1 }

    /// pixels: [batch, C, S, S] → features: [batch·Np, D], the merged, normalised patch
    /// features (`image_embeds` flattened). Not reentrant: callers serialise.
    func callAsFunction(_ pixels: UnsafePointer<Float>, batch: Int, into features: UnsafeMutablePointer<Float>) {
        let s = spec, d = s.dim, t = s.tokens, np = t - 1
        let rows = batch * t
        scratch.reserve(rows: rows, maxLength: t, workers: ProcessInfo.processInfo.activeProcessorCount)
        if hidden.count < rows * d { hidden = FloatBuffer(count: rows * d) }
        let x = hidden.pointer
        embeddings(pixels, batch: batch, into: x)
        preLayerNorm(x, rows: rows, into: x)
        let segments = (0..<batch).map { Segment(start: $0 * t, length: t) }
        for layer in layers {
            layer(x, rows: rows, segments: segments, causal: false, scratch: scratch)
        }
        postLayerNorm(x, rows: rows, into: x)
        // features[b, p] = layer_norm(x[b, 1 + p] * x[b, 0]).
        parallelChunks(batch * np, minimumPerChunk: 64) { range in
            for row in range {
                let b = row / np, p = row % np
                let cls = x + b * t * d, tok = x + (b * t + 1 + p) * d, dst = features + row * d
                for j in 0..<d { dst[j] = tok[j] * cls[j] }
            }
        }
        mergeLayerNorm(features, rows: batch * np, into: features)
    }
}
