/// `ChineseCLIPTextLayer` (`…encoder.layer.N`): a post-LN BERT layer,
/// x = LN(x + attention(x)), then x = LN(x + W₂·act(W₁·x)), bidirectional attention.
struct BertLayer {
    let attention: Attention          // attention.self.{query,key,value}, attention.output.dense
    let attentionLayerNorm: LayerNorm  // attention.output.LayerNorm
    let intermediate: Linear           // intermediate.dense: [I, D]
    let output: Linear                 // output.dense: [D, I]
    let outputLayerNorm: LayerNorm     // output.LayerNorm
    let activation: Activation

    init(_ source: WeightSource, _ prefix: String, dim: Int, heads: Int, intermediate size: Int,
         eps: Float, activation: Activation) throws {
        attention = try Attention(bert: source, "\(prefix).attention", dim: dim, heads: heads)
        attentionLayerNorm = try LayerNorm(source, "\(prefix).attention.output.LayerNorm", dim: dim, eps: eps)
        intermediate = try Linear(source, "\(prefix).intermediate.dense", inFeatures: dim, outFeatures: size)
        output = try Linear(source, "\(prefix).output.dense", inFeatures: size, outFeatures: dim)
        outputLayerNorm = try LayerNorm(source, "\(prefix).output.LayerNorm", dim: dim, eps: eps)
        self.activation = activation
    }

    /// x: [rows, D] updated in place.
    func callAsFunction(_ x: UnsafeMutablePointer<Float>, rows: Int, segments: [Segment], scratch: EncoderScratch) {
        // The attention reads all of x into q/k/v before adding its output to x.
        attention(x, rows: rows, segments: segments, causal: false, residual: x, outRows: rows,
                  qkvBuf: scratch.qkv.pointer, ctx: scratch.context.pointer,
                  scores: scratch.scores, maxLength: scratch.maxLength)
        attentionLayerNorm(x, rows: rows, into: x)
        feedForward(x, rows: rows, scratch: scratch)
    }

    /// The last layer when only the [CLS] row of each segment is wanted: keys and values from
    /// every row, the rest on the pooled rows only. x: [rows, D] input (left unchanged);
    /// out: [segments, D] receives the pooled rows' outputs.
    func pooledOnly(_ x: UnsafeMutablePointer<Float>, rows: Int, segments: [Segment], pooledRows: [Int],
                    scratch: EncoderScratch, into out: UnsafeMutablePointer<Float>) {
        let d = attention.dim
        for (i, r) in pooledRows.enumerated() { (out + i * d).update(from: x + r * d, count: d) }
        let queries = segments.enumerated().map { i, seg in seg.pooled(row: pooledRows[i] - seg.start, outputRow: i) }
        attention(x, rows: rows, segments: queries, causal: false, residual: out, outRows: segments.count,
                  qkvBuf: scratch.qkv.pointer, ctx: scratch.context.pointer,
                  scores: scratch.scores, maxLength: scratch.maxLength)
        attentionLayerNorm(out, rows: segments.count, into: out)
        feedForward(out, rows: segments.count, scratch: scratch)
    }

    /// x = LN(x + output(act(intermediate(x)))). x: [rows, D].
    private func feedForward(_ x: UnsafeMutablePointer<Float>, rows: Int, scratch: EncoderScratch) {
        let m = scratch.mlp.pointer
        // The intermediate bias is fused into the activation pass.
        Kernels.gemmXWt(x, intermediate.weight.pointer, m, rows: rows, inF: intermediate.inFeatures,
                        outF: intermediate.outFeatures, accumulate: false)
        Kernels.biasActivation(m, bias: intermediate.bias?.pointer, rows: rows, n: intermediate.outFeatures, activation: activation)
        output(m, rows: rows, into: x, accumulate: true)
        outputLayerNorm(x, rows: rows, into: x)
    }
}

extension Attention {
    /// BERT's attention weights (`…attention.self.query/key/value`, `…attention.output.dense`),
    /// stacked into the same `[3D, D]` q/k/v matrix as CLIP's.
    init(bert source: WeightSource, _ prefix: String, dim: Int, heads: Int) throws {
        let parts = try ["query", "key", "value"].map {
            try Linear(source, "\(prefix).self.\($0)", inFeatures: dim, outFeatures: dim)
        }
        let w = FloatBuffer(count: 3 * dim * dim)
        let b = FloatBuffer(count: 3 * dim)
        for (i, part) in parts.enumerated() {
            (w.pointer + i * dim * dim).update(from: part.weight.pointer, count: dim * dim)
            (b.pointer + i * dim).update(from: part.bias!.pointer, count: dim)
        }
        qkv = Linear(weight: Tensor(shape: [3 * dim, dim], storage: w), bias: Tensor(shape: [3 * dim], storage: b))
        outProj = try Linear(source, "\(prefix).output.dense", inFeatures: dim, outFeatures: dim)
        self.heads = heads
        headDim = dim / heads
        scale = 1 / Float(headDim).squareRoot()
    }
}
