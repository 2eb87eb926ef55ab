import CBLAS
import CKernels

// Row-wise kernels between the GEMMs. Each takes raw pointers obtained once per call and
// runs allocation-free; rows are split across cores.

/// How a transformer's MLP activation is computed (`hidden_act` in config.json).
public enum Activation: String, Sendable, Codable {
    case quickGELU = "quick_gelu"
    case gelu = "gelu"
    case geluTanh = "gelu_pytorch_tanh"
    case geluNew = "gelu_new"
}

/// 16 floats: the unit of the Swift row kernels below (layer norm, bias adds).
typealias Vec16 = SIMD16<Float>

enum Kernels {
    /// y = x · wᵀ (+ y when accumulate). x: [rows, inF], w: [outF, inF], y: [rows, outF].
    @inline(__always)
    static func gemmXWt(
        _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
        rows: Int, inF: Int, outF: Int, accumulate: Bool, lda: Int? = nil, ldc: Int? = nil
    ) {
        let t0 = Profiling.enabled ? Profiling.now() : 0
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(outF), Int32(inF),
            1, x, Int32(lda ?? inF), w, Int32(inF), accumulate ? 1 : 0, y, Int32(ldc ?? outF))
        if Profiling.enabled { Profiling.addGemm(since: t0) }
    }

    /// y[r, :] = bias (when !accumulate) or y[r, :] += bias. y: [rows, n], bias: [n].
    static func broadcastBias(
        _ bias: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, rows: Int, n: Int,
        accumulate: Bool
    ) {
        parallelChunks(rows, minimumPerChunk: 64) { range in
            for r in range {
                let row = y + r * n
                if accumulate {
                    var i = 0
                    while i + 16 <= n {
                        let v = UnsafeRawPointer(row + i).loadUnaligned(as: Vec16.self)
                            + UnsafeRawPointer(bias + i).loadUnaligned(as: Vec16.self)
                        UnsafeMutableRawPointer(row + i).storeBytes(of: v, as: Vec16.self)
                        i += 16
                    }
                    while i < n { row[i] += bias[i]; i += 1 }
                } else {
                    row.update(from: bias, count: n)
                }
            }
        }
    }

    /// out = LayerNorm(x) · gamma + beta, per row. x, out: [rows, n] (may alias).
    static func layerNorm(
        _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, rows: Int, n: Int,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, eps: Float,
        xStride: Int? = nil, outStride: Int? = nil
    ) {
        let xs = xStride ?? n, os = outStride ?? n
        parallelChunks(rows, minimumPerChunk: 32) { range in
            for r in range {
                let src = x + r * xs, dst = out + r * os
                var i = 0
                var acc = Vec16()
                while i + 16 <= n {
                    acc += UnsafeRawPointer(src + i).loadUnaligned(as: Vec16.self)
                    i += 16
                }
                var sum = acc.sum()
                while i < n { sum += src[i]; i += 1 }
                let mean = sum / Float(n)
                i = 0
                var accv = Vec16()
                while i + 16 <= n {
                    let d = UnsafeRawPointer(src + i).loadUnaligned(as: Vec16.self) - mean
                    accv += d * d
                    i += 16
                }
                var sq = accv.sum()
                while i < n { let d = src[i] - mean; sq += d * d; i += 1 }
                let inv = 1 / (sq / Float(n) + eps).squareRoot()
                i = 0
                while i + 16 <= n {
                    let v = UnsafeRawPointer(src + i).loadUnaligned(as: Vec16.self)
                    let g = UnsafeRawPointer(gamma + i).loadUnaligned(as: Vec16.self)
                    let b = UnsafeRawPointer(beta + i).loadUnaligned(as: Vec16.self)
                    UnsafeMutableRawPointer(dst + i).storeBytes(of: (v - mean) * inv * g + b, as: Vec16.self)
                    i += 16
                }
                while i < n { dst[i] = (src[i] - mean) * inv * gamma[i] + beta[i]; i += 1 }
            }
        }
    }

    /// x = act(x + bias) in place. x: [rows, n], bias: [n] (nil: none). Vectorised in C
    /// (`ck_bias_activation`: AVX2 + FMA where the CPU has them, SSE2 otherwise).
    static func biasActivation(
        _ x: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?, rows: Int, n: Int,
        activation: Activation
    ) {
        let kind: Int32
        switch activation {
        case .quickGELU: kind = Int32(CKActivationQuickGELU.rawValue)
        case .gelu: kind = Int32(CKActivationGELU.rawValue)
        case .geluTanh, .geluNew: kind = Int32(CKActivationGELUTanh.rawValue)
        }
        parallelChunks(rows, minimumPerChunk: 16) { range in
            ck_bias_activation(x + range.lowerBound * n, bias, range.count, n, kind)
        }
    }

    /// row = exp(row − max(row)) in place, the unnormalised softmax; returns the row's sum.
    /// row: [n], n ≥ 1; −∞ entries give 0. (`ck_exp_shifted_row`, vectorised in C; the attention
    /// kernel runs the same C function inside, so this entry point is what tests check it through.)
    @inline(__always)
    static func expShiftedRow(_ row: UnsafeMutablePointer<Float>, n: Int) -> Float {
        ck_exp_shifted_row(row, n)
    }

    /// out[i] = exp(x[i]), the exp inside the two kernels above (for tests). x, out: [n].
    static func exp(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, n: Int) {
        ck_exp(x, out, n)
    }

    /// Floats per vector in the C kernels on this CPU: 8 (AVX2 + FMA) or 4 (SSE2).
    static var vectorWidth: Int { Int(ck_vector_width()) }

    /// Runs `body` with every C kernel in its baseline (SSE2) version, for tests of that path
    /// on AVX2 machines. Not for concurrent use with other kernel calls.
    static func withBaselineKernels<T>(_ body: () throws -> T) rethrows -> T {
        let was = ck_force_baseline(1)
        defer { ck_force_baseline(was) }
        return try body()
    }
}
