import ArgumentParser
import CLIP
import Detection
import Dispatch
import Foundation
import Imaging

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

    func wanted(for inputs: [String]) -> Bool {
        video || jsonLines != nil || inputs.contains(where: Self.looksLikeVideo)
    }

    func videoOptions() throws -> VideoOptions {
        var o = VideoOptions()
        if every != nil, fps != nil { throw DetectionError("--every and --fps are exclusive: pick one") }
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

extension Detect {
    /// `clipdetect VIDEO --classes …`: annotated video, JSON lines, summary. Exit 130 on Ctrl-C
    /// (143 on SIGTERM), after finishing the current frame and closing the outputs.
    func runVideo() throws {
        var interrupted: Int32?
        try reportingErrors {
            guard inputs.count == 1 else {
                throw DetectionError("video mode takes one input at a time (got \(inputs.count)); run clipdetect once per video")
            }
            if json != nil { throw DetectionError("--json is for images; use --json-lines FILE for a video") }
            let input = inputs[0]
            if !video.video, !VideoFlags.looksLikeVideo(input) {
                throw DetectionError("--json-lines is for videos; use --json FILE for images (or --video to read \(input) as a video)")
            }
            if !VideoFlags.isSequencePattern(input), !FileManager.default.fileExists(atPath: input) {
                throw DetectionError("\(input): no such file")
            }
            let videoOptions = try video.videoOptions()
            let options = try flags.detectorOptions()
            let specs = try flags.classSpecs()
            let reader = try VideoReader(path: input)
            let fps = reader.info.fps ?? videoOptions.fallbackFPS
            if let count = reader.info.frameCount, FrameSelection(options: videoOptions, fps: fps).firstFrame >= count {
                throw DetectionError("\(input): --start \(video.start) s is past the end (\(count) frames at \(String(format: "%g", fps)) fps)")
            }
            let plan = try VideoOutputPlan(input: input, output: noSave ? nil : output, save: !noSave, jsonLines: video.jsonLines)
            let model = try modelOptions.load(defaultModel: "shapes-tiny")
            let detector = try Detector(model: model, options: options)
            try detector.setClasses(specs)
            let runner = try VideoDetector(detector: detector, options: videoOptions)
            interrupted = try VideoSession(input: input, reader: reader, runner: runner, plan: plan).run()
        }
        if let signo = interrupted { throw ExitCode(128 + signo) }
    }
}

/// Final and temporary names of the outputs. Outputs are written under hidden temporary names
/// in the destination folder (same extension: FFmpeg picks the container from it) and renamed
/// at the end, so a final name never holds a half-written file.
struct VideoOutputPlan {
    var video: String?
    var jsonLines: String?
    var videoTemp: String?
    var jsonLinesTemp: String?
    var jsonLinesToStdout: Bool { jsonLines == "-" }

    init(input: String, output: String?, save: Bool, jsonLines: String?) throws {
        if save {
            let path = output ?? (FileManager.default.currentDirectoryPath as NSString)
                .appendingPathComponent(Self.stem(of: input) + "_detections.mp4")
            guard VideoWriter.codec(forPath: path) != nil else {
                throw DetectionError("--output \(path): unsupported video extension (use .mp4, .m4v, .mov, .mkv or .avi)")
            }
            if URL(fileURLWithPath: path).standardizedFileURL.path == URL(fileURLWithPath: input).standardizedFileURL.path {
                throw DetectionError("\(path): refusing to overwrite the input video; choose another --output")
            }
            try OutputPlan.checkWritable(file: path)
            video = path
            videoTemp = Self.temporary(for: path)
        }
        if let jsonLines, jsonLines != "-" {
            try OutputPlan.checkWritable(file: jsonLines)
            jsonLinesTemp = Self.temporary(for: jsonLines)
        }
        self.jsonLines = jsonLines
    }

    /// The input's name without extension; for an image-sequence pattern, its folder's name.
    static func stem(of input: String) -> String {
        let url = URL(fileURLWithPath: input)
        if VideoFlags.isSequencePattern(input) {
            let folder = url.deletingLastPathComponent().lastPathComponent
            return folder.isEmpty || folder == "." ? "frames" : folder
        }
        return url.deletingPathExtension().lastPathComponent
    }

    /// `DIR/.STEM.partial-PID.EXT` beside `path`.
    static func temporary(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let ext = url.pathExtension
        let name = "." + url.deletingPathExtension().lastPathComponent + ".partial-\(getpid())" + (ext.isEmpty ? "" : "." + ext)
        return url.deletingLastPathComponent().appendingPathComponent(name).path
    }

    var temporaries: [String] { [videoTemp, jsonLinesTemp].compactMap { $0 } }

    func removeTemporaries() {
        for t in temporaries { try? FileManager.default.removeItem(atPath: t) }
    }

    /// Renames the temporaries to their final names.
    func commit() throws {
        for (temp, final) in [(videoTemp, video), (jsonLinesTemp, jsonLines)] {
            guard let temp, let final else { continue }
            guard rename(temp, final) == 0 else {
                throw DetectionError("\(final): cannot move the finished file into place (\(String(cString: strerror(errno))))")
            }
        }
    }
}

/// Ctrl-C (SIGINT) or SIGTERM while a video runs: the first one asks the frame loop to stop
/// after the current frame (it then closes the outputs properly and renames them); a second one
/// removes the temporaries and exits at once. Exit status 128 + signal number (130 for Ctrl-C).
final class InterruptSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var received: Int32 = 0
    private var sources: [DispatchSourceSignal] = []
    static let signals = [SIGINT, SIGTERM]

    init(temporaries: [String]) {
        for signo in Self.signals {
            signal(signo, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: signo, queue: .global())
            s.setEventHandler { [unowned self] in
                lock.lock()
                count += 1
                let n = count
                if received == 0 { received = signo }
                lock.unlock()
                if n == 1 {
                    FileHandle.standardError.write(Data("\ninterrupted: finishing the current frame (again to abort)\n".utf8))
                } else {
                    for t in temporaries { unlink(t) }
                    _exit(128 + signo)
                }
            }
            s.resume()
            sources.append(s)
        }
    }

    /// The first signal received, or nil.
    var raised: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return count > 0 ? received : nil
    }

    func cancel() {
        for s in sources { s.cancel() }
        for signo in Self.signals { signal(signo, SIG_DFL) }
    }
}

/// One video run of the CLI: drives `VideoDetector`, draws and writes frames, writes JSON
/// lines, shows progress and prints the summary.
struct VideoSession {
    let input: String
    let reader: VideoReader
    let runner: VideoDetector
    let plan: VideoOutputPlan

    /// Warnings printed for individual corrupt frames before they are only counted.
    static let corruptWarnings = 5

    /// Returns the signal that stopped the run (outputs finished and in place), or nil.
    func run() throws -> Int32? {
        let info = reader.info
        let fps = info.fps ?? runner.options.fallbackFPS
        if info.fps == nil { printError("warning: \(input): no frame rate in the source; assuming \(fps) fps") }
        var committed = false
        defer { if !committed { plan.removeTemporaries() } }
        let writer = try plan.videoTemp.map { try VideoWriter(path: $0, fps: fps, width: info.width, height: info.height,
                                                              codec: VideoWriter.codec(forPath: plan.video!)) }
        let lines = try JSONLinesSink(plan: plan)
        let interrupt = InterruptSignal(temporaries: plan.temporaries)
        defer { interrupt.cancel() }
        var progress = VideoProgress(expected: runner.expectedDetections(for: info), frameCount: info.frameCount)
        let annotator = Annotator()
        var lastDrawn: RGBImage?
        var corruptShown = 0
        var lastIndex = -1
        let summary = try runner.run(reader) { step in
            switch step {
            case .frame(let f):
                lastIndex = f.index
                if let writer {
                    let drawn = annotator.draw(f.detections, on: f.image)
                    try writer.write(drawn)
                    lastDrawn = drawn
                }
                if f.processed {
                    try lines.write(VideoFrameDetections(frame: f.index, timestamp: f.timestamp, detections: f.detections))
                    progress.detected(frame: f.index)
                }
            case .corrupt(let index, let message):
                lastIndex = index
                if corruptShown < Self.corruptWarnings {
                    printError("warning: \(input): frame \(index) skipped (\(message))")
                    corruptShown += 1
                }
                // Keep the output's timeline: the undecodable frame shows the previous one.
                if let writer, let lastDrawn { try writer.write(lastDrawn) }
            }
            return interrupt.raised == nil
        }
        progress.finish()
        try writer?.close()
        try lines.close()
        try plan.commit()
        committed = true

        let size = "\(info.width)x\(info.height), \(String(format: "%g", fps)) fps"
        var report = "\(input) (\(size)): \(summary.line)"
        let outputs = [plan.video, plan.jsonLinesToStdout ? nil : plan.jsonLines].compactMap { $0 }
        if !outputs.isEmpty { report += " → " + outputs.joined(separator: ", ") }
        if plan.jsonLinesToStdout { printError(report) } else { print(report) }
        if summary.endedEarly, let n = summary.announcedFrames {
            printError("warning: \(input): the file ends early (truncated or damaged): \(summary.framesRead + summary.corruptFrames) of \(n) frames could be read")
        }
        if summary.stopped, let signo = interrupt.raised {
            printError("interrupted after frame \(lastIndex): \(summary.framesProcessed) detected frames written\(outputs.isEmpty ? "" : " to " + outputs.joined(separator: ", "))")
            return signo
        }
        return nil
    }
}

/// JSON lines to a temporary file (renamed by the plan) or to stdout; each line is written
/// whole, so an interrupted run leaves only complete lines.
final class JSONLinesSink {
    private let handle: FileHandle?

    init(plan: VideoOutputPlan) throws {
        if plan.jsonLinesToStdout {
            handle = FileHandle.standardOutput
        } else if let temp = plan.jsonLinesTemp {
            guard FileManager.default.createFile(atPath: temp, contents: nil), let h = FileHandle(forWritingAtPath: temp) else {
                throw DetectionError("\(plan.jsonLines!): cannot create the JSON lines file")
            }
            handle = h
        } else {
            handle = nil
        }
    }

    func write(_ record: VideoFrameDetections) throws {
        guard let handle else { return }
        try handle.write(contentsOf: try record.jsonLine())
    }

    func close() throws {
        if let handle, handle !== FileHandle.standardOutput { try handle.close() }
    }
}

/// "detected 24/159 (frame 120/795), 0.21 frames/s, ETA 10:05" on stderr, redrawn in place,
/// only when stderr is a terminal.
struct VideoProgress {
    let expected: Int?
    let frameCount: Int?
    private let start = Date()
    private var done = 0
    private let enabled = stderrIsTerminal

    init(expected: Int?, frameCount: Int?) {
        self.expected = expected
        self.frameCount = frameCount
    }

    mutating func detected(frame: Int) {
        done += 1
        guard enabled else { return }
        let elapsed = Date().timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        var text = "detected \(done)" + (expected.map { "/\($0)" } ?? "")
        text += " (frame \(frame + 1)" + (frameCount.map { "/\($0)" } ?? "") + ")"
        text += String(format: ", %.2f frames/s", rate)
        if let expected, rate > 0, expected > done {
            let eta = Int(Double(expected - done) / rate)
            text += String(format: ", ETA %d:%02d", eta / 60, eta % 60)
        }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
    }

    func finish() {
        if enabled, done > 0 { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
