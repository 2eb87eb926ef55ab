import CKernels
import Dispatch
import Foundation

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
    /// qkvBuf: [rows, 3D], ctx: [outRows, D], scores: `AttentionCore.scratchCount` floats per worker.
    func callAsFunction(
        _ x: UnsafePointer<Float>, rows: Int, segments: [Segment], causal: Bool,
        residual: UnsafeMutablePointer<Float>, outRows: Int, qkvBuf: UnsafeMutablePointer<Float>,
        ctx: UnsafeMutablePointer<Float>, scores: FloatBuffer, maxLength: Int
    ) {
        qkv(x, rows: rows, into: qkvBuf)
        let t0 = Profiling.enabled ? Profiling.now() : 0
        AttentionCore(heads: heads, headDim: headDim, scale: scale)
            .run(qkv: qkvBuf, segments: segments, causal: causal, context: ctx, scratch: scores, maxLength: maxLength)
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

/// The attention core, softmax(s · q kᵀ) v per segment and head, in blocks of query rows, so
/// the tokens × tokens score matrix is never materialised.
///
/// Shapes (D = heads · hd; qkv rows are [q | k | v], head h at columns h·hd ..< (h+1)·hd):
///
///     qkv:     [rows, 3D]      one segment = rows start ..< start+n
///     job:     (segment, head, block of B ≤ `queryBlock` query rows)
///     packed:  K[n, hd] transposed and V[n, hd], in 16-wide panels      `ck_attention_pack`, once
///              per head and worker (a head's blocks are consecutive jobs)
///     per strip of 6 query rows (`ck_attention_rows`, C: AVX2 + FMA when the CPU has them, SSE2
///     otherwise; Swift's SIMD code is compiled for SSE2 only):
///       S:     [6, m]  = s · Q[6, hd] · K[m, hd]ᵀ       6 × 2W register tiles; m = n (causal: up to
///                                                       the strip's last query)
///       S:     exp(S − row max) in place, row sums      (causal: keys after the query → 0)
///       C:     [6, hd] = S · V[m, hd] / row sums        6 × 2W register tiles, written into
///                                                       context[outputRow + …, h·hd]
///
/// Jobs run on all cores, handed out one at a time; a worker's packed K/V (2·n·hd floats) and
/// its strip of scores (6·n) stay in its L2 and L1. Per worker the scratch is
/// `scratchCount(maxLength:headDim:)` floats (OWLv2 B/16 at 960 px: 2 MB).
///
/// Measured (`tools/bench_attention.c`: one OWL-ViT B/32 layer at 768 px, 577 tokens, 12 heads ×
/// 64, one thread, thread CPU time, medians of 9 alternating rounds; 2-core EPYC, Zen 3, once
/// shared with a 1-thread training run and once quiet; the single-thread clock differed between
/// the two, the ratio did not): the C kernel replaced two `cblas_sgemm` calls
/// per head and block, which run these 64-deep and 64-wide products at 30–48 GFLOP/s (packing
/// and call overhead at every call); end-to-end figures are in the README (One-pass detectors →
/// Speed).
///
/// | per layer, one thread | ms, load ~2 | ms, quiet (20:00 UTC) |
/// |---|---|---|
/// | sgemm (OpenBLAS) + `ck_exp_shifted_row` + scaling, B = 64 | 21.3 | 27.1 |
/// | **`ck_attention_rows`, AVX2 + FMA, B = 64** | 16.4 | 20.0 |
/// | `ck_attention_rows`, SSE2 forced | 46.1 | 64.6 |
///
/// Inside the kernel (same layer, a throwaway rdtsc-instrumented copy, under load): q·kᵀ 42%,
/// softmax 17%, p·v 36%, packing 5%; the tiles ran at 62–73 GFLOP/s against 74–91 of a
/// register-only FMA loop at the same time. Earlier, with the sgemm path, the block size B was
/// measured (table in the README): it hardly matters at 577 tokens, so B = 64 stays, chosen for
/// memory.
struct AttentionCore {
    let heads: Int
    let headDim: Int
    let scale: Float

    /// Query rows per job (B; see the table above). `CLIPDETECT_ATTENTION_BLOCK=B` in the
    /// environment overrides it, for re-measuring the table; unset in normal use.
    static let queryBlock: Int = {
        guard let text = ProcessInfo.processInfo.environment["CLIPDETECT_ATTENTION_BLOCK"], let b = Int(text),
              (1...4096).contains(b) else { return 64 }
        return b
    }()

    /// Scratch floats one worker needs for segments of up to `maxLength` tokens: one head's
    /// packed keys and values plus the kernel's strip of scores.
    static func scratchCount(maxLength: Int, headDim: Int) -> Int {
        ck_attention_packed_count(maxLength, headDim) + ck_attention_scratch_count(maxLength)
    }

    /// context[outputRow ..< outputRow + queries.count, :] = attention for every segment.
    /// scratch: at least `scratchCount(maxLength:headDim:)` floats per core.
    func run(qkv: UnsafeMutablePointer<Float>, segments: [Segment], causal: Bool,
             context: UnsafeMutablePointer<Float>, scratch: FloatBuffer, maxLength: Int) {
        let block = Self.queryBlock, perWorker = Self.scratchCount(maxLength: maxLength, headDim: headDim)
        // firstJob[i]: index of segment i's first job; jobs of a segment: heads × its blocks.
        var starts = [Int](), jobs = 0
        starts.reserveCapacity(segments.count)
        for seg in segments {
            starts.append(jobs)
            jobs += heads * ((seg.queries.count + block - 1) / block)
        }
        let firstJob = starts
        let workers = max(1, min(scratch.count / perWorker, jobs, ProcessInfo.processInfo.activeProcessorCount))
        let next = JobCounter()
        let body: (Int) -> Void = { worker in
            let packed = scratch.pointer + worker * perWorker
            let strip = packed + ck_attention_packed_count(maxLength, self.headDim)
            var segIndex = 0, packedHead = (segment: -1, head: -1)
            while true {
                let index = workers == 1 ? next.uncontendedNext() : next.next()
                guard index < jobs else { return }
                // Each worker's indices increase, so its segment only moves forward.
                while segIndex + 1 < segments.count, firstJob[segIndex + 1] <= index { segIndex += 1 }
                let seg = segments[segIndex]
                let blocks = (seg.queries.count + block - 1) / block
                let local = index - firstJob[segIndex]
                let h = local / blocks, b = local % blocks
                // A head's blocks are consecutive jobs: its keys and values are packed once per worker.
                if packedHead != (segIndex, h) {
                    self.pack(qkv: qkv, segment: seg, head: h, into: packed)
                    packedHead = (segIndex, h)
                }
                let first = seg.queries.lowerBound + b * block
                let count = min(block, seg.queries.upperBound - first)
                self.job(qkv: qkv, segment: seg, head: h, firstQuery: first, count: count, causal: causal,
                         packed: packed, strip: strip, context: context)
            }
        }
        if workers > 1 {
            DispatchQueue.concurrentPerform(iterations: workers, execute: body)
        } else {
            body(0)
        }
    }

    /// Head h's keys and values of the segment, packed for `ck_attention_rows`.
    @inline(__always)
    private func pack(qkv: UnsafeMutablePointer<Float>, segment seg: Segment, head h: Int, into packed: UnsafeMutablePointer<Float>) {
        let d = heads * headDim, k = qkv + seg.start * 3 * d + d + h * headDim
        ck_attention_pack(k, k + d, 3 * d, seg.length, headDim, packed)
    }

    /// One job: query rows first ..< first+count (relative to the segment) of head h, whose
    /// keys and values are in `packed`.
    @inline(__always)
    private func job(qkv: UnsafeMutablePointer<Float>, segment seg: Segment, head h: Int, firstQuery first: Int,
                     count: Int, causal: Bool, packed: UnsafePointer<Float>, strip: UnsafeMutablePointer<Float>,
                     context: UnsafeMutablePointer<Float>) {
        let d = heads * headDim, ld = 3 * d
        let q = qkv + (seg.start + first) * ld + h * headDim
        let out = context + (seg.outputRow + first - seg.queries.lowerBound) * d + h * headDim
        ck_attention_rows(q, ld, count, packed, seg.length, headDim, scale, causal ? first : -1, out, d, strip)
    }
}

/// Hands out job indices 0, 1, 2, … to concurrent workers.
private final class JobCounter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()

    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value - 1
    }

    func uncontendedNext() -> Int {
        value += 1
        return value - 1
    }
}
