/// Which frames of a video are detected, and how, for `VideoDetector`.
///
/// ```swift
/// var options = VideoOptions()
/// options.every = 5             // frames 0, 5, 10, … of the selected range
/// options.start = 12            // seconds
/// options.duration = 30         // seconds
/// options.tracking = Tracker.Options()
/// ```
public struct VideoOptions: Sendable, Equatable {
    /// Detect every Nth frame of the selected range (its first frame included). ≥ 1.
    public var every = 1
    /// Instead of `every`: detect about this many frames per second of video, taking the first
    /// frame at or after each multiple of 1/fps from the start. At or above the source's rate,
    /// every frame. Nil: use `every`.
    public var targetFPS: Double?
    /// Seconds into the video where the selected range starts (frame `round(start · fps)`).
    public var start = 0.0
    /// Length of the selected range in seconds (`round(duration · fps)` frames); nil: to the end.
    public var duration: Double?
    /// Stop after this many detected frames; nil: no limit.
    public var maxFrames: Int?
    /// Embedding reuse across frames; nil encodes every crop of every detected frame.
    public var reuse: EmbeddingReuse.Options? = EmbeddingReuse.Options()
    /// Tracking (stable ids, smoothed scores); nil: frames are independent.
    public var tracking: Tracker.Options?
    /// Frame rate assumed when the source reports none (image sequences).
    public var fallbackFPS = 25.0

    public init() {}

    /// Throws a one-line `DetectionError` naming the property out of range, e.g.
    /// "every 0 must be ≥ 1".
    public func validate() throws {
        guard every >= 1 else { throw DetectionError("every \(every) must be ≥ 1") }
        if let f = targetFPS { guard f > 0, f.isFinite else { throw DetectionError("targetFPS \(f) must be > 0") } }
        guard start >= 0, start.isFinite else { throw DetectionError("start \(start) must be ≥ 0 seconds") }
        if let d = duration { guard d > 0, d.isFinite else { throw DetectionError("duration \(d) must be > 0 seconds") } }
        if let m = maxFrames { guard m >= 1 else { throw DetectionError("maxFrames \(m) must be ≥ 1") } }
        guard fallbackFPS > 0 else { throw DetectionError("fallbackFPS \(fallbackFPS) must be > 0") }
        try reuse?.validate()
        try tracking?.validate()
    }
}
