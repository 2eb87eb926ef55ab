import Foundation

/// `OwlViTClassPredictionHead` (`class_head`): per patch, a class embedding in the text width
/// (`dense0`), and the affine map of its cosine with each query: (cos + `logit_shift`) ·
/// (elu(`logit_scale`) + 1).
struct OWLClassHead {
    let dense0: Linear      // [T, D]
    let logitShift: Linear  // [1, D]
    let logitScale: Linear  // [1, D]

    init(_ source: WeightSource, _ prefix: String, visionDim: Int, textDim: Int) throws {
        dense0 = try Linear(source, "\(prefix).dense0", inFeatures: visionDim, outFeatures: textDim)
        logitShift = try Linear(source, "\(prefix).logit_shift", inFeatures: visionDim, outFeatures: 1)
        logitScale = try Linear(source, "\(prefix).logit_scale", inFeatures: visionDim, outFeatures: 1)
    }

    /// features: [rows, D] → classEmbeddings: [rows, T] (raw `dense0` output), shift: [rows],
    /// scale: [rows] (elu + 1 applied).
    func callAsFunction(_ features: UnsafePointer<Float>, rows: Int, classEmbeddings: UnsafeMutablePointer<Float>,
                        shift: UnsafeMutablePointer<Float>, scale: UnsafeMutablePointer<Float>) {
        dense0(features, rows: rows, into: classEmbeddings)
        logitShift(features, rows: rows, into: shift)
        logitScale(features, rows: rows, into: scale)
        for r in 0..<rows {
            let v = scale[r]
            scale[r] = (v > 0 ? v : expm1f(v)) + 1  // nn.ELU(alpha=1) + 1
        }
    }
}

/// `OwlViTBoxPredictionHead` (`box_head`, and OWLv2's `objectness_head` with one output):
/// dense0 → GELU → dense1 → GELU → dense2, GELU exact (erf), as `nn.GELU()`.
struct OWLMLPHead {
    let dense0: Linear  // [D, D]
    let dense1: Linear  // [D, D]
    let dense2: Linear  // [out, D]

    init(_ source: WeightSource, _ prefix: String, dim: Int, outputs: Int) throws {
        dense0 = try Linear(source, "\(prefix).dense0", inFeatures: dim, outFeatures: dim)
        dense1 = try Linear(source, "\(prefix).dense1", inFeatures: dim, outFeatures: dim)
        dense2 = try Linear(source, "\(prefix).dense2", inFeatures: dim, outFeatures: outputs)
    }

    /// x: [rows, D] → out: [rows, outputs]; a and b: [rows, D] scratch.
    func callAsFunction(_ x: UnsafePointer<Float>, rows: Int, into out: UnsafeMutablePointer<Float>,
                        scratch a: UnsafeMutablePointer<Float>, _ b: UnsafeMutablePointer<Float>) {
        for (layer, input, output) in [(dense0, x, a), (dense1, UnsafePointer(a), b)] {
            Kernels.gemmXWt(input, layer.weight.pointer, output, rows: rows, inF: layer.inFeatures,
                            outF: layer.outFeatures, accumulate: false)
            Kernels.biasActivation(output, bias: layer.bias?.pointer, rows: rows, n: layer.outFeatures, activation: .gelu)
        }
        dense2(b, rows: rows, into: out)
    }
}

enum OWLBoxBias {
    /// `compute_box_bias`: per patch (row-major over the grid), the inverse sigmoid of the
    /// patch's bottom-right grid corner (x = (col + 1)/W, y = (row + 1)/H) and of the patch
    /// size (1/W, 1/H), as log(v + 1e-4) − log1p(−v + 1e-4) in float32. [H·W, 4].
    static func make(gridHeight h: Int, gridWidth w: Int) -> [Float] {
        func logit(_ v: Float) -> Float { logf(v + 1e-4) - log1pf(-v + 1e-4) }
        var bias = [Float](repeating: 0, count: h * w * 4)
        let sizeX = logit(1 / Float(w)), sizeY = logit(1 / Float(h))
        for row in 0..<h {
            for col in 0..<w {
                let i = (row * w + col) * 4
                bias[i] = logit(min(max(Float(col + 1) / Float(w), 0), 1))
                bias[i + 1] = logit(min(max(Float(row + 1) / Float(h), 0), 1))
                bias[i + 2] = sizeX
                bias[i + 3] = sizeY
            }
        }
        return bias
    }
}
