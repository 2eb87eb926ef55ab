import ArgumentParser
import CLIP
import Detection
import Foundation
import Imaging

extension Detect {
    /// The checks of video mode that need only the arguments (`validate()` of the command).
    func validateVideoArguments() throws {
        guard inputs.count == 1 else {
            throw ValidationError("video mode takes one input at a time (got \(inputs.count)); run clipdetect once per video")
        }
        if json != nil { throw ValidationError("--json is for images; use --json-lines FILE for a video") }
        if !video.video, !VideoFlags.looksLikeVideo(inputs[0]) {
            throw ValidationError("--json-lines is for videos; use --json FILE for images (or --video to read \(inputs[0]) as a video)")
        }
        if !noSave, let output, VideoWriter.codec(forPath: output) == nil {
            throw ValidationError("--output \(output): unsupported video extension (use .mp4, .m4v, .mov, .mkv or .avi)")
        }
    }

    /// `clipdetect VIDEO --classes …`: annotated video, JSON lines, summary (an
    /// `AnnotatedVideoRun`). Exit 130 on Ctrl-C (143 on SIGTERM), after finishing the current
    /// frame and closing the outputs.
    func runVideo() throws {
        var interrupted: Int32?
        try reportingErrors {
            guard inputs.count == 1, let input = inputs.first else { throw ValidationError("video mode takes one input at a time") }
            if !VideoFlags.isSequencePattern(input), !FileManager.default.fileExists(atPath: input) {
                throw DetectionError("\(input): no such file")
            }
            let videoOptions = try video.videoOptions()
            _ = try flags.detectorOptions()  // flag errors before any work
            let specs = try flags.classSpecs()
            let reader = try VideoReader(path: input)
            let fps = reader.info.fps ?? videoOptions.fallbackFPS
            if let count = reader.info.frameCount, FrameSelection(options: videoOptions, fps: fps).firstFrame >= count {
                throw DetectionError("\(input): --start \(video.start) s is past the end (\(count) frames at \(String(format: "%g", fps)) fps)")
            }
            let annotated = try annotatedVideoPath(for: input)
            if let lines = video.jsonLines, lines != "-" { try OutputPlan.checkWritable(file: lines) }
            let (detector, _) = try modelOptions.loadDetector(defaultModel: "shapes-tiny", flags: flags)
            try detector.setClasses(specs)
            let labelFont = try fontOption.load()
            let run = try AnnotatedVideoRun(
                detector: try VideoDetector(detector: detector, options: videoOptions), video: annotated,
                jsonLines: video.jsonLines.map { $0 == "-" ? .handle(FileHandle.standardOutput) : .file($0) })
            run.annotator.font = labelFont
            interrupted = try report(run, reader: reader, input: input)
        }
        if let signo = interrupted { throw ExitCode(128 + signo) }
    }

    /// The annotated video's path (nil with --no-save): --output, or NAME_detections.mp4 in the
    /// working directory; never the input, in a writable folder.
    private func annotatedVideoPath(for input: String) throws -> String? {
        guard !noSave else { return nil }
        let path = output ?? (FileManager.default.currentDirectoryPath as NSString)
            .appendingPathComponent(VideoFlags.stem(of: input) + "_detections.mp4")
        if URL(fileURLWithPath: path).standardizedFileURL.path == URL(fileURLWithPath: input).standardizedFileURL.path {
            throw DetectionError("\(path): refusing to overwrite the input video; choose another --output")
        }
        try OutputPlan.checkWritable(file: path)
        return path
    }

    /// Runs `run` with progress on a terminal, warnings and the closing summary; returns the
    /// signal that stopped it early, or nil.
    private func report(_ run: AnnotatedVideoRun, reader: VideoReader, input: String) throws -> Int32? {
        let corruptWarnings = 5     // individual corrupt frames reported before they are only counted
        var corruptShown = 0
        var progress = VideoProgress(expected: run.detector.expectedDetections(for: reader.info), frameCount: reader.info.frameCount)
        let interrupt = InterruptSignal(temporaries: run.temporaries)
        defer { interrupt.cancel() }
        let result = try run.run(reader, onEvent: { event in
            switch event {
            case .assumedFrameRate(let fps):
                printError("warning: \(input): no frame rate in the source; assuming \(fps) fps")
            case .corruptFrame(let index, let message):
                if corruptShown < corruptWarnings { printError("warning: \(input): frame \(index) skipped (\(message))") }
                corruptShown += 1
            case .detected(let frame):
                progress.detected(frame: frame)
            }
        }, shouldContinue: { interrupt.raised == nil })
        progress.finish()

        let summary = result.summary
        let toStdout = video.jsonLines == "-"
        var line = "\(input) (\(reader.info.width)x\(reader.info.height), \(String(format: "%g", result.fps)) fps): \(summary.line)"
        if !result.outputs.isEmpty { line += " → " + result.outputs.joined(separator: ", ") }
        if toStdout { printError(line) } else { print(line) }
        if summary.endedEarly, let n = summary.announcedFrames {
            printError("warning: \(input): the file ends early (truncated or damaged): \(summary.framesRead + summary.corruptFrames) of \(n) frames could be read")
        }
        if summary.stopped, let signo = interrupt.raised {
            let written = result.outputs.isEmpty ? "" : " to " + result.outputs.joined(separator: ", ")
            printError("interrupted after frame \(result.lastFrame.map { String($0) } ?? "-"): \(summary.framesProcessed) detected frames written\(written)")
            return signo
        }
        return nil
    }
}
