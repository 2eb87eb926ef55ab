/// `nn.Linear`: y = x·Wᵀ + b with W stored `[out, in]` exactly as in the checkpoint, which is
/// what `cblas_sgemm(NoTrans, Trans)` wants: no transposed copy is ever made.
struct Linear {
    let weight: Tensor  // [out, in]
    let bias: Tensor?   // [out]
    let inFeatures: Int
    let outFeatures: Int

    init(_ source: WeightSource, _ prefix: String, inFeatures: Int, outFeatures: Int, bias: Bool = true, std: Float = 0.02) throws {
        weight = try source.tensor("\(prefix).weight", shape: [outFeatures, inFeatures], initializer: .normal(std: std))
        self.bias = bias ? try source.tensor("\(prefix).bias", shape: [outFeatures], initializer: .zeros) : nil
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
    }

    init(weight: Tensor, bias: Tensor?) {
        self.weight = weight
        self.bias = bias
        outFeatures = weight.shape[0]
        inFeatures = weight.shape[1]
    }

    /// x: [rows, in] → y: [rows, out]; with `accumulate`, y += x·Wᵀ + b (a fused residual add).
    func callAsFunction(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>, accumulate: Bool = false, xStride: Int? = nil) {
        if let bias {
            Kernels.broadcastBias(bias.pointer, into: y, rows: rows, n: outFeatures, accumulate: accumulate)
        }
        Kernels.gemmXWt(x, weight.pointer, y, rows: rows, inF: inFeatures, outF: outFeatures,
                        accumulate: accumulate || bias != nil, lda: xStride)
    }
}

/// `nn.LayerNorm` over the last dimension.
struct LayerNorm {
    let weight: Tensor  // [dim]
    let bias: Tensor    // [dim]
    let eps: Float

    init(_ source: WeightSource, _ prefix: String, dim: Int, eps: Float) throws {
        weight = try source.tensor("\(prefix).weight", shape: [dim], initializer: .ones)
        bias = try source.tensor("\(prefix).bias", shape: [dim], initializer: .zeros)
        self.eps = eps
    }

    var dim: Int { weight.count }

    /// x: [rows, dim] → out: [rows, dim] (may alias x).
    func callAsFunction(_ x: UnsafePointer<Float>, rows: Int, into out: UnsafeMutablePointer<Float>, xStride: Int? = nil, outStride: Int? = nil) {
        Kernels.layerNorm(x, out, rows: rows, n: dim, gamma: weight.pointer, beta: bias.pointer, eps: eps,
                          xStride: xStride, outStride: outStride)
    }
}
