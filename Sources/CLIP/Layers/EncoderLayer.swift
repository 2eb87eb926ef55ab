import Foundation

/// `CLIPEncoderLayer` (`…encoder.layers.N`): pre-LN attention and MLP blocks with residuals.
struct EncoderLayer {
    let layerNorm1: LayerNorm
    let selfAttn: Attention
    let layerNorm2: LayerNorm
    let fc1: Linear  // mlp.fc1: [I, D]
    let fc2: Linear  // mlp.fc2: [D, I]
    let activation: Activation

    init(_ source: WeightSource, _ prefix: String, dim: Int, heads: Int, intermediate: Int,
         eps: Float, activation: Activation) throws {
        layerNorm1 = try LayerNorm(source, "\(prefix).layer_norm1", dim: dim, eps: eps)
        selfAttn = try Attention(source, "\(prefix).self_attn", dim: dim, heads: heads)
        layerNorm2 = try LayerNorm(source, "\(prefix).layer_norm2", dim: dim, eps: eps)
        fc1 = try Linear(source, "\(prefix).mlp.fc1", inFeatures: dim, outFeatures: intermediate)
        fc2 = try Linear(source, "\(prefix).mlp.fc2", inFeatures: intermediate, outFeatures: dim)
        self.activation = activation
    }

    /// x: [rows, D] updated in place.
    func callAsFunction(_ x: UnsafeMutablePointer<Float>, rows: Int, segments: [Segment], causal: Bool, scratch: EncoderScratch) {
        let h = scratch.normed.pointer
        layerNorm1(x, rows: rows, into: h)
        selfAttn(h, rows: rows, segments: segments, causal: causal, residual: x, scratch: scratch)
        mlpBlock(x, rows: rows, scratch: scratch)
    }

    /// The last layer when only one row per segment is pooled: keys and values still come from
    /// every row, but queries, the output projection and the MLP run on the pooled rows only
    /// (for ViT-B/32 that skips 49 of 50 rows, ~6% of the image tower's work), with the same
    /// result for those rows. x: [rows, D] input; pooledRows: absolute row per segment;
    /// out: [segments, D] receives those rows' outputs.
    func pooledOnly(_ x: UnsafeMutablePointer<Float>, rows: Int, segments: [Segment], pooledRows: [Int],
                    causal: Bool, scratch: EncoderScratch, into out: UnsafeMutablePointer<Float>) {
        let h = scratch.normed.pointer
        layerNorm1(x, rows: rows, into: h)
        selfAttn.pooled(h, rows: rows, segments: segments, pooledRows: pooledRows, causal: causal,
                        residual: x, scratch: scratch, into: out)
        mlpBlock(out, rows: segments.count, scratch: scratch)
    }

    /// x += fc2(act(fc1(LN2(x)))). x: [rows, D].
    private func mlpBlock(_ x: UnsafeMutablePointer<Float>, rows: Int, scratch: EncoderScratch) {
        let h = scratch.normed.pointer, m = scratch.mlp.pointer
        layerNorm2(x, rows: rows, into: h)
        // fc1 without its bias: the bias is fused into the activation pass.
        Kernels.gemmXWt(h, fc1.weight.pointer, m, rows: rows, inF: fc1.inFeatures, outF: fc1.outFeatures, accumulate: false)
        Kernels.biasActivation(m, bias: fc1.bias?.pointer, rows: rows, n: fc1.outFeatures, activation: activation)
        fc2(m, rows: rows, into: x, accumulate: true)
    }
}

/// Activation buffers for one encoder pass, sized for the largest batch seen and reused
/// across layers and calls.
final class EncoderScratch {
    private(set) var rows = 0
    private(set) var maxLength = 0
    private(set) var normed = FloatBuffer(count: 0)
    private(set) var qkv = FloatBuffer(count: 0)
    private(set) var context = FloatBuffer(count: 0)
    private(set) var mlp = FloatBuffer(count: 0)
    private(set) var scores = FloatBuffer(count: 0)
    let dim: Int
    let intermediate: Int
    /// dim / heads: sizes the attention core's packed keys and values.
    let headDim: Int

    init(dim: Int, intermediate: Int, heads: Int) {
        self.dim = dim
        self.intermediate = intermediate
        headDim = dim / max(1, heads)
    }

    /// A text tower's packed token activations, [rows, dim], updated in place by the layers.
    private(set) var input = FloatBuffer(count: 0)

    /// Packs `texts` (no padding) and sizes every buffer for them, `input` included.
    func reserve(packing texts: [[Int32]]) -> PackedTexts {
        let packed = PackedTexts(texts)
        reserve(rows: packed.rows, maxLength: packed.maxLength, workers: ProcessInfo.processInfo.activeProcessorCount)
        if input.count < packed.rows * dim { input = FloatBuffer(count: packed.rows * dim) }
        return packed
    }

    /// Grows the buffers when needed; never shrinks, so steady-state calls allocate nothing.
    func reserve(rows newRows: Int, maxLength newMax: Int, workers: Int) {
        if newRows > rows {
            rows = newRows
            normed = FloatBuffer(count: rows * dim)
            qkv = FloatBuffer(count: rows * 3 * dim)
            context = FloatBuffer(count: rows * dim)
            mlp = FloatBuffer(count: rows * intermediate)
        }
        let length = max(newMax, maxLength)
        let perWorker = AttentionCore.scratchCount(maxLength: length, headDim: headDim)
        if newMax > maxLength || scores.count < workers * perWorker {
            maxLength = length
            scores = FloatBuffer(count: workers * perWorker)
        }
    }
}

/// `CLIPEncoder` (`…encoder`): the stack of layers. (Not named `Encoder`: that would shadow Swift.Encoder for Codable code in this module.)
struct TransformerEncoder {
    let layers: [EncoderLayer]

    init(_ source: WeightSource, _ prefix: String, layers count: Int, dim: Int, heads: Int,
         intermediate: Int, eps: Float, activation: Activation) throws {
        layers = try (0..<count).map {
            try EncoderLayer(source, "\(prefix).layers.\($0)", dim: dim, heads: heads,
                             intermediate: intermediate, eps: eps, activation: activation)
        }
    }

    /// Runs every layer on x: [rows, D] and writes the final hidden state of `pooledRows`
    /// (one absolute row per segment) to out: [segments, D].
    func callAsFunction(_ x: UnsafeMutablePointer<Float>, rows: Int, segments: [Segment], pooledRows: [Int],
                        causal: Bool, scratch: EncoderScratch, into out: UnsafeMutablePointer<Float>) {
        let d = layers.first?.layerNorm1.dim ?? 0
        guard let last = layers.last else {
            for (i, r) in pooledRows.enumerated() { (out + i * d).update(from: x + r * d, count: d) }
            return
        }
        for layer in layers.dropLast() {
            layer(x, rows: rows, segments: segments, causal: causal, scratch: scratch)
        }
        last.pooledOnly(x, rows: rows, segments: segments, pooledRows: pooledRows, causal: causal, scratch: scratch, into: out)
    }
}
