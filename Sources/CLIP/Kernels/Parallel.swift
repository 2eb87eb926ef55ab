import Dispatch
import Foundation

/// Splits `count` independent items into one contiguous chunk per core and runs `body` on
/// each chunk concurrently. Used for the non-GEMM work between GEMMs (OpenBLAS threads itself,
/// so GEMMs are never wrapped in this).
@inline(__always)
func parallelChunks(_ count: Int, minimumPerChunk: Int = 1, _ body: (Range<Int>) -> Void) {
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let chunks = max(1, min(cores, count / max(minimumPerChunk, 1)))
    if chunks == 1 {
        body(0..<count)
        return
    }
    DispatchQueue.concurrentPerform(iterations: chunks) { c in
        let start = count * c / chunks
        let end = count * (c + 1) / chunks
        body(start..<end)
    }
}
