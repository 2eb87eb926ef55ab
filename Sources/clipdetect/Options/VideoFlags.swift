import ArgumentParser
import Detection
import Foundation

/// Video flags of the default command. A video input is recognised by its extension or an
/// image-sequence pattern (`VideoFlags.looksLikeVideo`), or forced with `--video`.
struct VideoFlags: ParsableArguments {
    @Flag(help: "Treat the input as a video even if its name does not look like one.")
    var video = false

    @Option(name: .customLong("json-lines"), help: "Video: write one JSON line per detected frame to FILE, or - for stdout: {\"frame\": N, \"timestamp\": SECONDS, \"detections\": [...]}.")
    var jsonLines: String?

    @Option(help: "Video: detect every Nth frame (the frames between keep the last boxes drawn). (default: 1)")
    var every: Int?

    @Option(help: "Video: detect about F frames per second of video instead of --every.")
    var fps: Double?

    @Option(help: "Video: start this many seconds into the video.")
    var start: Double = 0

    @Option(help: "Video: process this many seconds (default: to the end).")
    var duration: Double?

    @Option(name: .customLong("max-frames"), help: "Video: stop after detecting this many frames.")
    var maxFrames: Int?

    @Flag(help: "Video: link detections across frames into tracks with stable ids (track_id), smoothed scores, one-frame flickers hidden.")
    var track = false

    @Flag(name: .customLong("no-reuse"), help: "Video: encode every crop of every detected frame (by default crops whose pixels barely changed reuse their embedding).")
    var noReuse = false

    @Option(name: .customLong("reuse-threshold"), help: "Video: largest mean difference (levels 0-255, after removing a brightness shift) between a crop's 16x16 colour thumbnail now and when it was encoded that still reuses its embedding.")
    var reuseThreshold: Float = EmbeddingReuse.Options().threshold

    static let extensions: Set<String> = ["mp4", "avi", "mov", "mkv", "webm", "m4v"]

    /// A video file by extension, or an image-sequence pattern such as `frames/%05d.png`.
    static func looksLikeVideo(_ path: String) -> Bool {
        if extensions.contains(URL(fileURLWithPath: path).pathExtension.lowercased()) { return true }
        return isSequencePattern(path)
    }

    /// A printf-style frame-number field (`%d`, `%05d`) in the file name.
    static func isSequencePattern(_ path: String) -> Bool {
        URL(fileURLWithPath: path).lastPathComponent.range(of: #"%0?[0-9]*d"#, options: .regularExpression) != nil
    }

    /// The input's name without extension; for an image-sequence pattern, its folder's name.
    static func stem(of input: String) -> String {
        let url = URL(fileURLWithPath: input)
        if isSequencePattern(input) {
            let folder = url.deletingLastPathComponent().lastPathComponent
            return folder.isEmpty || folder == "." ? "frames" : folder
        }
        return url.deletingPathExtension().lastPathComponent
    }

    func wanted(for inputs: [String]) -> Bool {
        video || jsonLines != nil || inputs.contains(where: Self.looksLikeVideo)
    }

    /// Range checks of the video flags (one `error: …` line naming the flag).
    func validate() throws {
        try ArgumentChecks.exclusive(["--every", "--fps"], given: [every != nil, fps != nil])
        if let every { try ArgumentChecks.require("--every", every, atLeast: 1) }
        if let fps { guard fps > 0, fps.isFinite else { throw ValidationError("--fps \(fps) must be > 0") } }
        guard start >= 0, start.isFinite else { throw ValidationError("--start \(start) must be ≥ 0 seconds") }
        if let duration { guard duration > 0, duration.isFinite else { throw ValidationError("--duration \(duration) must be > 0 seconds") } }
        if let maxFrames { try ArgumentChecks.require("--max-frames", maxFrames, atLeast: 1) }
        guard reuseThreshold >= 0, reuseThreshold.isFinite else { throw ValidationError("--reuse-threshold \(reuseThreshold) must be ≥ 0") }
    }

    /// The library's options from the flags (checked by `validate()`).
    func videoOptions() throws -> VideoOptions {
        var o = VideoOptions()
        o.every = every ?? 1
        o.targetFPS = fps
        o.start = start
        o.duration = duration
        o.maxFrames = maxFrames
        if noReuse {
            o.reuse = nil
        } else {
            o.reuse?.threshold = reuseThreshold
        }
        if track { o.tracking = Tracker.Options() }
        try o.validate()
        return o
    }
}
