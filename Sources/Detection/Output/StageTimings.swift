/// Wall-clock seconds spent in each stage of detection, for `clipdetect bench --detect`.
public struct StageTimings: Sendable, Equatable {
    public var decode = 0.0
    public var proposals = 0.0
    public var crops = 0.0
    public var encode = 0.0
    public var score = 0.0
    public var nms = 0.0
    /// Box refinement (`BoxRefiner`), when on.
    public var refine = 0.0
    public var draw = 0.0
    /// Crops encoded.
    public var cropCount = 0

    public init() {}

    public var total: Double { decode + proposals + crops + encode + score + nms + refine + draw }
    /// Everything but the image encoder.
    public var outsideEncoder: Double { total - encode }

    public static func += (a: inout StageTimings, b: StageTimings) {
        a.decode += b.decode; a.proposals += b.proposals; a.crops += b.crops; a.encode += b.encode
        a.score += b.score; a.nms += b.nms; a.refine += b.refine; a.draw += b.draw; a.cropCount += b.cropCount
    }
}

/// Seconds since `start` (a `DispatchTime` uptime in nanoseconds).
@inline(__always)
func secondsSince(_ start: UInt64) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
}

@inline(__always)
func uptimeNanos() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

import Dispatch
