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
        attention(x, rows: rows, segments: segments, causal: false, residual: x, scratch: scratch)
        attentionLayerNorm(x, rows: rows, into: x)
        feedForward(x, rows: rows, scratch: scratch)
    }

    /// The last layer when only the [CLS] row of each segment is wanted: keys and values from
    /// every row, the rest on the pooled rows only. x: [rows, D] input (left unchanged);
    /// out: [segments, D] receives the pooled rows' outputs.
    func pooledOnly(_ x: UnsafeMutablePointer<Float>, rows: Int, segments: [Segment], pooledRows: [Int],
                    scratch: EncoderScratch, into out: UnsafeMutablePointer<Float>) {
        attention.pooled(x, rows: rows, segments: segments, pooledRows: pooledRows, causal: false,
                         residual: x, scratch: scratch, into: out)
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
    /// BERT's names (`…attention.self.query/key/value`, `…attention.output.dense`).
    init(bert source: WeightSource, _ prefix: String, dim: Int, heads: Int) throws {
        try self.init(source, q: "\(prefix).self.query", k: "\(prefix).self.key", v: "\(prefix).self.value",
                      out: "\(prefix).output.dense", dim: dim, heads: heads)
    }
}
