import Foundation

/// Opt-in wall-clock accounting for `clipdetect bench`: how much of an encoder pass is spent
/// in the linear-layer GEMMs and in the attention core. Off by default; when off, the cost is
/// one branch per GEMM.
public enum Profiling {
    public static var enabled = false
    /// Seconds inside `cblas_sgemm` for linear layers and the patch embedding.
    public private(set) static var gemmSeconds: Double = 0
    /// Seconds in the attention core (per-head score/context GEMMs and softmax).
    public private(set) static var attentionSeconds: Double = 0

    public static func reset() {
        gemmSeconds = 0
        attentionSeconds = 0
    }

    @inline(__always)
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    @inline(__always)
    static func addGemm(since start: UInt64) { gemmSeconds += Double(now() - start) * 1e-9 }

    @inline(__always)
    static func addAttention(since start: UInt64) { attentionSeconds += Double(now() - start) * 1e-9 }
}
