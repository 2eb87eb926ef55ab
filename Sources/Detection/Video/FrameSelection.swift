/// The frame-selection arithmetic of `VideoOptions` for one source, kept apart from I/O so it
/// can be tested alone.
///
/// ```swift
/// var options = VideoOptions()
/// options.every = 5
/// options.start = 1.2
/// let selection = FrameSelection(options: options, fps: 10)   // first frame 12
/// selection.isSampled(17)                                     // true
/// selection.sampledCount(frameCount: 40)                      // 6: frames 12, 17, …, 37
/// ```
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
