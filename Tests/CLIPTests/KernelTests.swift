import Foundation
import XCTest
import CKernels

@testable import CLIP

/// The vector kernels between the GEMMs and the attention core, each against a naive Double
/// reference written independently of the implementation. Tolerances are explicit and an order
/// of magnitude below the 1e-4 parity tolerance of the model tests.
final class KernelTests: XCTestCase {
    /// Seeded values uniform in `range`.
    private func values(_ count: Int, in range: ClosedRange<Float>, seed: UInt64) -> [Float] {
        var rng = seed
        return (0..<count).map { _ in
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            let u = Float(rng >> 40) / Float(1 << 24)
            return range.lowerBound + u * (range.upperBound - range.lowerBound)
        }
    }

    func testVectorWidthMatchesTheCPU() {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let flags = Set((cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") } ?? "").split(separator: " "))
        XCTAssertEqual(Kernels.vectorWidth, flags.contains("avx2") && flags.contains("fma") ? 8 : 4)
        // The switch the SSE2 tests below rely on.
        XCTAssertEqual(Kernels.withBaselineKernels { Kernels.vectorWidth }, 4)
        XCTAssertEqual(Kernels.vectorWidth, flags.contains("avx2") && flags.contains("fma") ? 8 : 4)
    }

    /// exp within 4 ulp on the clamped range, 0 below it, every length's tail included.
    func testExpAgainstFoundation() {
        var xs = values(1003, in: -87...88, seed: 1) + values(101, in: -2...2, seed: 2)
        xs += [0, -0.0, 1, -1, 88.2, -87.2, -90, -1000, -.infinity, 88.5, 1000, .infinity]
        var out = [Float](repeating: .nan, count: xs.count)
        for n in [1, 3, 4, 7, 8, 9, 17, xs.count] {
            Kernels.exp(xs, into: &out, n: n)
            for i in 0..<n {
                let x = xs[i]
                if x < -87.3 {
                    XCTAssertEqual(out[i], 0, "exp(\(x))")
                    continue
                }
                if x > 88.3 {  // clamped: finite, exp(Float(88.3))
                    let top = Foundation.exp(Double(Float(88.3)))
                    XCTAssertEqual(Double(out[i]), top, accuracy: 4 * Double(Float(top).ulp), "exp(\(x))")
                    continue
                }
                let want = Foundation.exp(Double(x))
                let ulp = Double(Float(want).ulp)
                XCTAssertLessThanOrEqual(abs(Double(out[i]) - want), 4 * ulp, "exp(\(x)) = \(out[i]), want \(want)")
            }
        }
    }

    /// The unnormalised softmax: exp(x − max) and its sum, −∞ entries giving 0.
    func testExpShiftedRow() {
        for n in [1, 2, 7, 8, 15, 16, 17, 50, 577] {
            var row = values(n, in: -30...30, seed: UInt64(n))
            if n > 3 { row[1] = -.infinity }
            let want = row.map { Double($0) }
            let m = want.max()!
            let sum = row.withUnsafeMutableBufferPointer { Kernels.expShiftedRow($0.baseAddress!, n: n) }
            var wantSum = 0.0
            for i in 0..<n {
                let e = want[i] == -.infinity ? 0 : Foundation.exp(want[i] - m)
                wantSum += e
                XCTAssertEqual(Double(row[i]), e, accuracy: 5e-7, "n \(n), i \(i)")
            }
            XCTAssertEqual(Double(sum), wantSum, accuracy: 1e-6 * wantSum, "n \(n)")
        }
    }

    /// quick_gelu, exact GELU and tanh GELU with and without a bias, odd widths.
    func testBiasActivation() {
        let references: [(Activation, (Double) -> Double)] = [
            (.quickGELU, { $0 / (1 + Foundation.exp(-1.702 * $0)) }),
            (.gelu, { 0.5 * $0 * (1 + erf($0 / 2.0.squareRoot())) }),
            (.geluTanh, { 0.5 * $0 * (1 + tanh((2 / Double.pi).squareRoot() * ($0 + 0.044715 * $0 * $0 * $0))) }),
            (.geluNew, { 0.5 * $0 * (1 + tanh((2 / Double.pi).squareRoot() * ($0 + 0.044715 * $0 * $0 * $0))) }),
        ]
        for (activation, reference) in references {
            for (rows, n) in [(1, 1), (3, 13), (5, 64), (129, 37)] {
                let x = values(rows * n, in: -12...12, seed: UInt64(rows * n))
                for bias in [nil, values(n, in: -1...1, seed: 9)] {
                    let buf = FloatBuffer(x)
                    let b = bias.map(FloatBuffer.init)
                    Kernels.biasActivation(buf.pointer, bias: b?.pointer, rows: rows, n: n, activation: activation)
                    for r in 0..<rows {
                        for j in 0..<n {
                            let v = Double(x[r * n + j]) + Double(bias?[j] ?? 0)
                            XCTAssertEqual(Double(buf.pointer[r * n + j]), reference(v), accuracy: 2e-6 * max(1, abs(v)),
                                           "\(activation) rows \(rows) n \(n) at \(r),\(j) (x \(v))")
                        }
                    }
                }
            }
        }
    }

    /// `ck_attention_rows` on its own against a Double reference: head widths below, at and
    /// between the 8- and 16-float tiles, key counts around the 16-key panels, row counts around
    /// the 6-row strips, causal offsets, strided inputs and outputs; AVX2 and SSE2 versions.
    func testAttentionRowsAgainstNaive() {
        for baseline in [false, true] {
            for hd in [1, 8, 12, 20, 64, 80] {
                for (m, rows) in [(1, 1), (5, 5), (16, 7), (17, 13), (77, 6), (77, 12), (150, 19)] {
                    for causalFirst in [-1, 0, m - rows] where causalFirst < 0 || causalFirst + rows <= m {
                        let ldq = hd + 3, ld = hd + 5, ldo = hd + 2
                        let q = values(rows * ldq, in: -2...2, seed: UInt64(hd * 1000 + m))
                        let k = values(m * ld, in: -2...2, seed: UInt64(hd * 1000 + m + 1))
                        let v = values(m * ld, in: -2...2, seed: UInt64(hd * 1000 + m + 2))
                        let scale = 1 / Float(hd).squareRoot()
                        var out = [Float](repeating: .nan, count: rows * ldo)
                        var packed = [Float](repeating: .nan, count: ck_attention_packed_count(m, hd))
                        var strip = [Float](repeating: .nan, count: ck_attention_scratch_count(m))
                        let run = {
                            ck_attention_pack(k, v, ld, m, hd, &packed)
                            ck_attention_rows(q, ldq, rows, packed, m, hd, scale, causalFirst, &out, ldo, &strip)
                        }
                        if baseline { Kernels.withBaselineKernels(run) } else { run() }
                        for r in 0..<rows {
                            let keys = causalFirst < 0 ? m : causalFirst + r + 1
                            let s = (0..<keys).map { j in
                                Double(scale) * (0..<hd).reduce(0.0) { $0 + Double(q[r * ldq + $1]) * Double(k[j * ld + $1]) }
                            }
                            let top = s.max()!
                            let e = s.map { Foundation.exp($0 - top) }
                            let sum = e.reduce(0, +)
                            for c in 0..<ldo {
                                let got = out[r * ldo + c]
                                guard c < hd else {
                                    XCTAssert(got.isNaN, "column \(c) ≥ hd \(hd) was written")
                                    continue
                                }
                                let want = (0..<keys).reduce(0.0) { $0 + e[$1] * Double(v[$1 * ld + c]) } / sum
                                XCTAssertEqual(Double(got), want, accuracy: 2e-5,
                                               "baseline \(baseline) hd \(hd) m \(m) rows \(rows) causal \(causalFirst) at \(r),\(c)")
                            }
                        }
                    }
                }
            }
        }
    }

    /// softmax(s·q·kᵀ)·v per segment and head against a naive Double version: several segments,
    /// lengths around the query block, causal masks, pooled single queries; odd head widths and
    /// counts; the SSE2 kernels too.
    func testAttentionCoreAgainstNaive() {
        for (heads, headDim, baseline) in [(3, 5, false), (2, 64, false), (5, 12, false), (1, 80, false), (3, 20, true), (2, 64, true)] {
            let d = heads * headDim
            let lengths = [1, 7, AttentionCore.queryBlock - 1, AttentionCore.queryBlock + 3, 2 * AttentionCore.queryBlock + 1]
            var segments: [Segment] = []
            var rows = 0
            for n in lengths {
                segments.append(Segment(start: rows, length: n))
                rows += n
            }
            let qkv = FloatBuffer(values(rows * 3 * d, in: -2...2, seed: UInt64(d)))
            let scale = 1 / Float(headDim).squareRoot()
            let core = AttentionCore(heads: heads, headDim: headDim, scale: scale)
            let maxLength = lengths.max()!
            let workers = ProcessInfo.processInfo.activeProcessorCount
            let scratch = FloatBuffer(count: workers * AttentionCore.scratchCount(maxLength: maxLength, headDim: headDim))
            for causal in [false, true] {
                let context = FloatBuffer(count: rows * d)
                let pooled = segments.enumerated().map { i, s in s.pooled(row: s.length - 1, outputRow: i) }
                let pooledContext = FloatBuffer(count: segments.count * d)
                let run = {
                    core.run(qkv: qkv.pointer, segments: segments, causal: causal, context: context.pointer,
                             scratch: scratch, maxLength: maxLength)
                    core.run(qkv: qkv.pointer, segments: pooled, causal: causal, context: pooledContext.pointer,
                             scratch: scratch, maxLength: maxLength)
                }
                if baseline { Kernels.withBaselineKernels(run) } else { run() }
                for (si, seg) in segments.enumerated() {
                    for h in 0..<heads {
                        for qi in 0..<seg.length {
                            let want = naiveAttention(qkv.pointer, d: d, headDim: headDim, head: h, segment: seg,
                                                      query: qi, causal: causal, scale: Double(scale))
                            for j in 0..<headDim {
                                XCTAssertEqual(Double(context.pointer[(seg.start + qi) * d + h * headDim + j]), want[j], accuracy: 2e-5,
                                               "heads \(heads) × \(headDim) baseline \(baseline) causal \(causal) segment \(si) head \(h) query \(qi)")
                                if qi == seg.length - 1 {
                                    XCTAssertEqual(Double(pooledContext.pointer[si * d + h * headDim + j]), want[j], accuracy: 2e-5,
                                                   "pooled: heads \(heads) × \(headDim) baseline \(baseline) causal \(causal) segment \(si) head \(h)")
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private func naiveAttention(_ qkv: UnsafePointer<Float>, d: Int, headDim: Int, head h: Int, segment seg: Segment,
                                query qi: Int, causal: Bool, scale: Double) -> [Double] {
        let ld = 3 * d
        let q = qkv + (seg.start + qi) * ld + h * headDim
        let keys = causal ? qi + 1 : seg.length
        let scores = (0..<keys).map { ki -> Double in
            let k = qkv + (seg.start + ki) * ld + d + h * headDim
            return scale * (0..<headDim).reduce(0.0) { $0 + Double(q[$1]) * Double(k[$1]) }
        }
        let m = scores.max()!
        let e = scores.map { Foundation.exp($0 - m) }
        let sum = e.reduce(0, +)
        return (0..<headDim).map { j in
            (0..<keys).reduce(0.0) { $0 + e[$1] * Double(qkv[(seg.start + $1) * ld + 2 * d + h * headDim + j]) } / sum
        }
    }
}
