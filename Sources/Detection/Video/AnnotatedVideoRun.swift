import CLIP
import Foundation
import Imaging

/// One annotated-video job: runs a `VideoDetector` over a video, draws every frame's detections
/// into an output video and writes each detected frame as a JSON line
/// (`VideoFrameDetections`). Both outputs are optional.
///
/// ```swift
/// let video = try VideoDetector(detector: detector, options: VideoOptions())
/// let run = try AnnotatedVideoRun(detector: video, video: "street_boxes.mp4",
///                                 jsonLines: .file("street.jsonl"))
/// let report = try run.run(try VideoReader(path: "street.mp4")) { event in
///     if case .corruptFrame(let index, let message) = event { print("frame \(index) skipped: \(message)") }
/// }
/// print(report.summary.line)        // the outputs are complete and in place
/// ```
///
/// All-or-nothing outputs: files are written under hidden temporary names in their destination
/// folders (`DIR/.STEM.partial-PID.EXT`, same extension, as FFmpeg picks the container from it)
/// and renamed over the final names once the run has finished, also when `shouldContinue`
/// stopped it early (the outputs then cover the frames done). A run that throws removes its
/// temporaries. Undecodable frames keep the output's timeline: they show the previous frame.
/// Not thread-safe; one `run` per instance.
public final class AnnotatedVideoRun {
    /// Where the JSON lines go.
    public enum JSONLinesTarget {
        /// A file, replaced at the end of the run.
        case file(String)
        /// An open handle (e.g. `FileHandle.standardOutput`), written line by line, never closed.
        case handle(FileHandle)
    }

    /// Things a caller may want to show while the run goes on.
    public enum Event: Sendable, Equatable {
        /// The source gives no frame rate; this one is assumed (`VideoOptions.fallbackFPS`).
        case assumedFrameRate(Double)
        /// Frame `index` did not decode and was skipped.
        case corruptFrame(index: Int, message: String)
        /// Frame `index` was detected (and its JSON line written).
        case detected(frame: Int)
    }

    /// What a finished run did.
    public struct Report: Sendable, Equatable {
        public var summary: VideoSummary
        /// The frame rate used: the source's, or the assumed one.
        public var fps: Double
        /// Index of the last frame of the range handed over (decoded or corrupt); nil if none.
        public var lastFrame: Int?
        /// The files written, in their final places (annotated video, then JSON lines).
        public var outputs: [String]
    }

    public let detector: VideoDetector
    /// The annotated video's path, or nil for none.
    public let video: String?
    public let jsonLines: JSONLinesTarget?
    /// How detections are drawn.
    public var annotator = Annotator()
    /// The temporary files the run writes before renaming them (for a last-resort cleanup, e.g.
    /// on a second Ctrl-C that exits at once).
    public let temporaries: [String]

    private let videoTemporary: String?
    private let jsonLinesTemporary: String?
    private let codec: String?

    /// - Parameters:
    ///   - video: the annotated video to write (`.mp4`, `.m4v`, `.mov`, `.mkv` or `.avi`), or nil.
    ///   - jsonLines: where to write one JSON line per detected frame, or nil.
    /// - Throws: `DetectionError` naming `video` when its extension names no supported container.
    public init(detector: VideoDetector, video: String?, jsonLines: JSONLinesTarget?) throws {
        if let video, VideoWriter.codec(forPath: video) == nil {
            throw DetectionError("\(video): unsupported video extension (use .mp4, .m4v, .mov, .mkv or .avi)")
        }
        let videoTemporary = video.map(Self.temporary(for:))
        var jsonLinesTemporary: String?
        if case .file(let path) = jsonLines { jsonLinesTemporary = Self.temporary(for: path) }
        self.detector = detector
        self.video = video
        self.jsonLines = jsonLines
        self.videoTemporary = videoTemporary
        self.jsonLinesTemporary = jsonLinesTemporary
        codec = video.flatMap(VideoWriter.codec(forPath:))
        temporaries = [videoTemporary, jsonLinesTemporary].compactMap { $0 }
    }

    /// Reads `reader` to the end of the selected range (see `VideoDetector.run`), writing the
    /// outputs, then moves them into place.
    ///
    /// - Parameters:
    ///   - onEvent: called for warnings and progress, on the calling thread.
    ///   - shouldContinue: asked after every frame; false ends the run there (outputs kept).
    /// - Throws: `DetectionError` for an output that cannot be created, written or moved into
    ///   place, or what the detector throws. The temporaries are then removed.
    public func run(_ reader: VideoReader, onEvent: (Event) -> Void = { _ in },
                    shouldContinue: () -> Bool = { true }) throws -> Report {
        let info = reader.info
        let fps = info.fps ?? detector.options.fallbackFPS
        if info.fps == nil { onEvent(.assumedFrameRate(fps)) }
        var committed = false
        defer { if !committed { removeTemporaries() } }
        var writer: VideoWriter?
        if let videoTemporary {
            writer = try VideoWriter(path: videoTemporary, fps: fps, width: info.width, height: info.height, codec: codec)
        }
        let lines = try JSONLinesSink(jsonLines, temporary: jsonLinesTemporary)
        var lastDrawn: RGBImage?
        var lastFrame: Int?
        let summary = try detector.run(reader) { step in
            switch step {
            case .frame(let f):
                lastFrame = f.index
                if let writer {
                    let drawn = annotator.draw(f.detections, on: f.image)
                    try writer.write(drawn)
                    lastDrawn = drawn
                }
                if f.processed {
                    try lines.write(VideoFrameDetections(frame: f.index, timestamp: f.timestamp, detections: f.detections))
                    onEvent(.detected(frame: f.index))
                }
            case .corrupt(let index, let message):
                lastFrame = index
                onEvent(.corruptFrame(index: index, message: message))
                if let writer, let lastDrawn { try writer.write(lastDrawn) }
            }
            return shouldContinue()
        }
        try writer?.close()
        if let writer, let videoTemporary, let video {
            try Self.checkReadable(videoTemporary, final: video, framesWritten: writer.framesWritten)
        }
        try lines.close()
        var outputs: [String] = []
        for case let (temporary?, final?) in [(videoTemporary, video), (jsonLinesTemporary, lines.path)] {
            guard rename(temporary, final) == 0 else {
                throw DetectionError("\(final): cannot move the finished file into place (\(String(cString: strerror(errno))))")
            }
            outputs.append(final)
        }
        committed = true
        return Report(summary: summary, fps: fps, lastFrame: lastFrame, outputs: outputs)
    }

    /// OpenCV's writer reports no failed write (full disk, quota), so the finished file is read
    /// back before it may replace `final`: it must open and hold at least the frames written.
    static func checkReadable(_ temporary: String, final: String, framesWritten: Int) throws {
        guard framesWritten > 0 else { return }
        let reader: VideoReader
        do {
            reader = try VideoReader(path: temporary)
        } catch {
            throw DetectionError("\(final): the finished video cannot be read back (disk full or a write error?), so it was not kept")
        }
        if let count = reader.info.frameCount, count < framesWritten {
            throw DetectionError("\(final): the finished video holds \(count) of \(framesWritten) frames (disk full or a write error?), so it was not kept")
        }
    }

    /// `DIR/.STEM.partial-PID.EXT` beside `path`.
    static func temporary(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let ext = url.pathExtension
        let name = "." + url.deletingPathExtension().lastPathComponent + ".partial-\(getpid())" + (ext.isEmpty ? "" : "." + ext)
        return url.deletingLastPathComponent().appendingPathComponent(name).path
    }

    private func removeTemporaries() {
        for t in temporaries { try? FileManager.default.removeItem(atPath: t) }
    }
}
