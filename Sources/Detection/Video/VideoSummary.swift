import Foundation

/// What a `VideoDetector.run` did, for the closing summary line.
public struct VideoSummary: Sendable, Equatable {
    /// Frames decoded (the selected range and any frames skipped to reach it).
    public var framesRead = 0
    /// Frames detected.
    public var framesProcessed = 0
    /// Frames that did not decode and were skipped.
    public var corruptFrames = 0
    /// Frames of the selected range passed to the caller (decoded ones, detected or not).
    public var framesDelivered = 0
    /// The source ended on read failures before its announced frame count (truncated file).
    public var endedEarly = false
    /// The container's frame count, when it has one.
    public var announcedFrames: Int?
    /// The caller asked to stop (e.g. Ctrl-C) before the end.
    public var stopped = false
    /// Crops encoded and crops served from the reuse cache.
    public var encodesMade = 0
    public var encodesSaved = 0
    /// Wall-clock seconds of the whole run.
    public var seconds = 0.0
    /// Time per stage over the detected frames.
    public var timings = StageTimings()

    public init() {}

    /// Detected frames per second of wall-clock time.
    public var processedPerSecond: Double { seconds > 0 ? Double(framesProcessed) / seconds : 0 }

    /// Share of crops served from the cache, in [0, 1].
    public var reuseRate: Double {
        let total = encodesMade + encodesSaved
        return total > 0 ? Double(encodesSaved) / Double(total) : 0
    }

    /// One line, e.g. "795 frames read, 159 detected, 0 corrupt skipped; 31800 crops: 12400
    /// encoded, 19400 reused (61%); 612.3 s, 0.26 detected frames/s".
    public var line: String {
        var s = "\(framesRead) frames read, \(framesProcessed) detected, \(corruptFrames) corrupt skipped"
        if endedEarly, let n = announcedFrames { s += " (file ends early: \(framesRead + corruptFrames) of \(n) frames readable)" }
        s += "; \(encodesMade + encodesSaved) crops: \(encodesMade) encoded, \(encodesSaved) reused"
        s += String(format: " (%.0f%%); %.1f s, %.2f detected frames/s", reuseRate * 100, seconds, processedPerSecond)
        if stopped { s += "; stopped early" }
        return s
    }
}
