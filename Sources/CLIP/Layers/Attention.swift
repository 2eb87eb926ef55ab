import CBLAS
import Dispatch

/// `CLIPAttention` (`…self_attn`): multi-head self-attention with q/k/v/out projections.
///
/// Layout fix, done here and nowhere else: the checkpoint's separate `q_proj`, `k_proj`,
/// `v_proj` weights `[D, D]` are stacked into one `[3D, D]` matrix at load so that one GEMM
/// produces q, k and v for all tokens.
struct Attention {
    let qkv: Linear      // [3D, D]
    let outProj: Linear  // [D, D]
    let heads: Int
    let headDim: Int
    let scale: Float

    /// CLIP's names: `PREFIX.{q,k,v,out}_proj`.
    init(_ source: WeightSource, _ prefix: String, dim: Int, heads: Int) throws {
        try self.init(source, q: "\(prefix).q_proj", k: "\(prefix).k_proj", v: "\(prefix).v_proj",
                      out: "\(prefix).out_proj", dim: dim, heads: heads)
    }

    /// Any checkpoint's q/k/v/out projections (`[D, D]` weights with biases), by name.
    init(_ source: WeightSource, q: String, k: String, v: String, out: String, dim: Int, heads: Int) throws {
        let parts = try [q, k, v].map { try Linear(source, $0, inFeatures: dim, outFeatures: dim) }
        let w = FloatBuffer(count: 3 * dim * dim)
        let b = FloatBuffer(count: 3 * dim)
        for (i, part) in parts.enumerated() {
            (w.pointer + i * dim * dim).update(from: part.weight.pointer, count: dim * dim)
            (b.pointer + i * dim).update(from: part.bias!.pointer, count: dim)
        }
        qkv = Linear(weight: Tensor(shape: [3 * dim, dim], storage: w), bias: Tensor(shape: [3 * dim], storage: b))
        outProj = try Linear(source, out, inFeatures: dim, outFeatures: dim)
        self.heads = heads
        headDim = dim / heads
        scale = 1 / Float(headDim).squareRoot()
    }

    var dim: Int { heads * headDim }

    /// x: [rows, D] (layer-normed input) → residual[outRows, D] += attention(x) for the
    /// segments' query rows (outRows = rows, or one per segment in a last layer).
    /// qkvBuf: [rows, 3D], ctx: [outRows, D], scores: per-worker [maxLen, maxLen] scratch.
    func callAsFunction(
        _ x: UnsafePointer<Float>, rows: Int, segments: [Segment], causal: Bool,
        residual: UnsafeMutablePointer<Float>, outRows: Int, qkvBuf: UnsafeMutablePointer<Float>,
        ctx: UnsafeMutablePointer<Float>, scores: FloatBuffer, maxLength: Int
    ) {
        qkv(x, rows: rows, into: qkvBuf)
        let d = dim, ld = 3 * dim, hd = headDim, nHeads = heads, s = scale
        let jobs = segments.count * nHeads
        // Small per-head GEMMs stay single-threaded inside OpenBLAS (below its threading
        // threshold), so heads can run in parallel; large ones (L/14 at 336 px) thread inside
        // OpenBLAS and are run one after another.
        let small = maxLength * maxLength * hd < 262_144
        let workers = small ? max(1, min(scores.count / max(maxLength * maxLength, 1), jobs)) : 1
        let body: (Int) -> Void = { worker in
            let sc = scores.pointer + worker * maxLength * maxLength
            var job = worker
            while job < jobs {
                let seg = segments[job / nHeads], h = job % nHeads
                let n = seg.length, nq = seg.queries.count
                let k = qkvBuf + seg.start * ld + d + h * hd, v = k + d
                let q = qkvBuf + (seg.start + seg.queries.lowerBound) * ld + h * hd
                // scores: [nq, n] = s · q[nq, hd] · k[n, hd]ᵀ
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(nq), Int32(n), Int32(hd),
                            s, q, Int32(ld), k, Int32(ld), 0, sc, Int32(n))
                for r in 0..<nq {
                    let row = sc + r * n, i = seg.queries.lowerBound + r
                    if causal {
                        Kernels.softmaxRow(row, n: i + 1)
                        if i + 1 < n { (row + i + 1).update(repeating: 0, count: n - i - 1) }
                    } else {
                        Kernels.softmaxRow(row, n: n)
                    }
                }
                // ctx[nq, hd] = scores[nq, n] · v[n, hd]
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(nq), Int32(hd), Int32(n),
                            1, sc, Int32(n), v, Int32(ld), 0, ctx + seg.outputRow * d + h * hd, Int32(d))
                job += workers
            }
        }
        let t0 = Profiling.enabled ? Profiling.now() : 0
        if workers > 1 {
            DispatchQueue.concurrentPerform(iterations: workers, execute: body)
        } else {
            body(0)
        }
        if Profiling.enabled { Profiling.addAttention(since: t0) }
        outProj(ctx, rows: outRows, into: residual, accumulate: true)
    }
}

extension Attention {
    /// residual[rows, D] += attention(x) over every row, in the encoder's scratch buffers.
    func callAsFunction(_ x: UnsafePointer<Float>, rows: Int, segments: [Segment], causal: Bool,
                        residual: UnsafeMutablePointer<Float>, scratch: EncoderScratch) {
        self(x, rows: rows, segments: segments, causal: causal, residual: residual, outRows: rows,
             qkvBuf: scratch.qkv.pointer, ctx: scratch.context.pointer,
             scores: scratch.scores, maxLength: scratch.maxLength)
    }

    /// A tower's last layer when one row per segment is pooled: keys and values from every row
    /// of x [rows, D], queries only at `pooledRows` (absolute, one per segment).
    /// out: [segments, D] = residual[pooledRows] + attention output at those rows.
    func pooled(_ x: UnsafePointer<Float>, rows: Int, segments: [Segment], pooledRows: [Int], causal: Bool,
                residual: UnsafePointer<Float>, scratch: EncoderScratch, into out: UnsafeMutablePointer<Float>) {
        let d = dim
        for (i, r) in pooledRows.enumerated() { (out + i * d).update(from: residual + r * d, count: d) }
        let queries = segments.enumerated().map { i, seg in seg.pooled(row: pooledRows[i] - seg.start, outputRow: i) }
        self(x, rows: rows, segments: queries, causal: causal, residual: out, outRows: segments.count,
             qkvBuf: scratch.qkv.pointer, ctx: scratch.context.pointer,
             scores: scratch.scores, maxLength: scratch.maxLength)
    }
}
