import Foundation
import XCTest

@testable import CLIP

/// `BLASRuntime.shortenIdleSpin()` stops OpenBLAS's worker threads so that they restart with a
/// short idle spin: afterwards threaded GEMMs must still run on as many threads and be right.
final class BLASRuntimeTests: XCTestCase {
    func testGEMMsStillWorkAfterShorteningTheIdleSpin() {
        let threads = BLASRuntime.threads
        let userValue = ProcessInfo.processInfo.environment["OPENBLAS_THREAD_TIMEOUT"]
        BLASRuntime.shortenIdleSpin()
        let expected = userValue ?? String(BLASRuntime.idleSpinExponent)
        XCTAssertEqual(ProcessInfo.processInfo.environment["OPENBLAS_THREAD_TIMEOUT"], expected)
        XCTAssertEqual(BLASRuntime.threads, threads)
        // Large enough for OpenBLAS to split it across its threads; twice, so the second GEMM
        // runs on workers that have gone to sleep after the first.
        let rows = 300, inF = 257, outF = 301
        let x = (0..<rows * inF).map { Float(($0 * 7919) % 211) / 211 - 0.5 }
        let w = (0..<outF * inF).map { Float(($0 * 104729) % 197) / 197 - 0.5 }
        for round in 0..<2 {
            var y = [Float](repeating: .nan, count: rows * outF)
            Kernels.gemmXWt(x, w, &y, rows: rows, inF: inF, outF: outF, accumulate: false)
            for r in stride(from: 0, to: rows, by: 37) {
                for o in stride(from: 0, to: outF, by: 29) {
                    let want = (0..<inF).reduce(0.0) { $0 + Double(x[r * inF + $1]) * Double(w[o * inF + $1]) }
                    XCTAssertEqual(Double(y[r * outF + o]), want, accuracy: 1e-4, "round \(round) at \(r),\(o)")
                }
            }
            if round == 0 { usleep(20_000) }
        }
    }
}
