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

    /// Throws a one-line `DetectionError` naming the flag out of range.
    public func validate() throws {
        guard every >= 1 else { throw DetectionError("--every \(every) must be ≥ 1") }
        if let f = targetFPS { guard f > 0, f.isFinite else { throw DetectionError("--fps \(f) must be > 0") } }
        guard start >= 0, start.isFinite else { throw DetectionError("--start \(start) must be ≥ 0 seconds") }
        if let d = duration { guard d > 0, d.isFinite else { throw DetectionError("--duration \(d) must be > 0 seconds") } }
        if let m = maxFrames { guard m >= 1 else { throw DetectionError("--max-frames \(m) must be ≥ 1") } }
        guard fallbackFPS > 0 else { throw DetectionError("fallback frame rate \(fallbackFPS) must be > 0") }
        try reuse?.validate()
        try tracking?.validate()
    }
}

/// The frame-selection arithmetic of `VideoOptions` for one source, kept apart from I/O so it
/// can be tested alone.
public struct FrameSelection: Sendable, Equatable {
    public let fps: Double
    /// First frame of the selected range.
    public let firstFrame: Int
    /// One past the last frame of the range; nil: to the end of the source.
    public let endFrame: Int?
    let every: Int
    let targetFPS: Double?

    public init(options: VideoOptions, fps: Double) {
        self.fps = fps
        let first = Int((options.start * fps).rounded())
        firstFrame = first
        endFrame = options.duration.map { first + max(1, Int(($0 * fps).rounded())) }
        every = options.every
        targetFPS = options.targetFPS.flatMap { $0 < fps ? $0 : nil }
    }

    /// Seconds from the start of the source to frame `index`: `index / fps`.
    public func timestamp(ofFrame index: Int) -> Double { Double(index) / fps }

    /// Whether frame `index` (inside the range) is detected.
    public func isSampled(_ index: Int) -> Bool {
        let k = index - firstFrame
        guard k >= 0 else { return false }
        guard let target = targetFPS else { return k % every == 0 }
        // Frame k is the first one at or after a slot boundary j / target: some integer j lies
        // in (t(k−1)·target, t(k)·target]. From k alone, so corrupt frames don't shift it.
        if k == 0 { return true }
        func slots(_ j: Int) -> Double { (Double(j) / fps * target + 1e-9).rounded(.down) }
        return slots(k) > slots(k - 1)
    }

    /// Frames detected out of `frameCount` (the source's), before any `maxFrames` cap.
    public func sampledCount(frameCount: Int) -> Int {
        let end = min(endFrame ?? frameCount, frameCount)
        guard end > firstFrame else { return 0 }
        if targetFPS == nil { return (end - firstFrame + every - 1) / every }
        return (firstFrame..<end).filter(isSampled).count
    }
}
