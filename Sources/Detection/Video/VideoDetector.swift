import CLIP
import Foundation

/// Runs a `Detector` over the frames of a video: frame sampling, embedding reuse across
/// frames and optional tracking. Drawing and writing are the caller's, through the callback.
///
/// ```swift
/// let detector = try Detector(model: model)
/// try detector.setClasses(["person", "bicycle"])              // text embeddings once per run
/// var options = VideoOptions()
/// options.every = 5
/// let video = try VideoDetector(detector: detector, options: options)
/// let reader = try VideoReader(path: "street.mp4")
/// let summary = try video.run(reader) { step in
///     if case .frame(let f) = step, f.processed { print(f.index, f.timestamp, f.detections.count) }
///     return true                                               // false stops after this frame
/// }
/// print(summary.line)
/// ```
///
/// Every decoded frame of the selected range is passed to the callback in order; frames that
/// are not sampled carry the detections of the last detected frame (so an annotated video
/// keeps its boxes between samples). Frames before `start` are decoded and dropped (seeking
/// is not frame-exact in every container). Corrupt frames of the range are passed as
/// `.corrupt` and count in the summary; they are never detected, and sampling does not move
/// to make up for one. The run ends at the end of the range or source, after `maxFrames`
/// detected frames (before the next sampled frame), or when the callback returns false.
/// Not thread-safe.
public final class VideoDetector {
    /// One frame of the selected range.
    public struct Frame: Sendable {
        /// Frame number in the source, from 0 (corrupt frames included).
        public var index: Int
        /// Seconds from the start of the source: index / fps.
        public var timestamp: Double
        public var image: RGBImage
        /// True when this frame was detected; false when `detections` are carried over.
        public var processed: Bool
        /// This frame's detections, or the last detected frame's (empty before the first).
        public var detections: [Detection]
    }

    public enum Step: Sendable {
        case frame(Frame)
        /// Frame `index` of the range did not decode and was skipped.
        case corrupt(index: Int, message: String)
    }

    public let detector: any ObjectDetector
    public let options: VideoOptions
    /// The reuse cache (nil when reuse is off); its counters cover every frame run so far.
    public let reuse: EmbeddingReuse?
    /// The tracker (nil when tracking is off).
    public let tracker: Tracker?
    private var encodedWithoutReuse = 0

    /// - Precondition: `detector` has its classes set.
    /// - Throws: `DetectionError` when an option is out of range.
    public init(detector: any ObjectDetector, options: VideoOptions = VideoOptions()) throws {
        try options.validate()
        self.detector = detector
        self.options = options
        reuse = try options.reuse.map { try EmbeddingReuse(options: $0) }
        tracker = try options.tracking.map { try Tracker(options: $0) }
    }

    /// The frame selection for a source with `info` (its fps, or `fallbackFPS`).
    public func selection(for info: VideoInfo) -> FrameSelection {
        FrameSelection(options: options, fps: info.fps ?? options.fallbackFPS)
    }

    /// Frames `run` will detect in a source with `info`, when its frame count is known.
    public func expectedDetections(for info: VideoInfo) -> Int? {
        guard let count = info.frameCount else { return nil }
        let n = selection(for: info).sampledCount(frameCount: count)
        return options.maxFrames.map { min($0, n) } ?? n
    }

    /// Detects one frame with `Detector.detect(_:timings:reuse:)` — the same step as a photo,
    /// with this run's reuse cache when reuse is on — then passes the detections through the
    /// tracker when tracking is on. Frames must come in order.
    public func detectFrame(_ image: RGBImage, timings: inout StageTimings) throws -> [Detection] {
        let cropsBefore = timings.cropCount
        var kept = try detector.detect(image, timings: &timings, reuse: reuse)
        if reuse == nil { encodedWithoutReuse += timings.cropCount - cropsBefore }
        if let tracker { kept = tracker.update(kept) }
        return kept
    }

    /// Reads `reader` to the end of the selected range, detecting the sampled frames, and
    /// calls `onStep` for every frame of the range (return false to stop after it).
    /// - Throws: what `onStep` or the detector throws; damaged frames are not errors.
    public func run(_ reader: VideoReader, onStep: (Step) throws -> Bool) throws -> VideoSummary {
        let start = uptimeNanos()
        let selection = selection(for: reader.info)
        var summary = VideoSummary()
        summary.announcedFrames = reader.info.frameCount
        let madeBefore = (reuse?.encodesMade ?? 0) + encodedWithoutReuse, savedBefore = reuse?.encodesSaved ?? 0
        var last: [Detection] = []
        var reachedEnd = true
        loop: while let event = try reader.next() {
            switch event {
            case .corrupt(let index, let message):
                summary.corruptFrames += 1
                if let end = selection.endFrame, index >= end { reachedEnd = false; break loop }
                guard index >= selection.firstFrame else { continue }
                if try !onStep(.corrupt(index: index, message: message)) { summary.stopped = true; reachedEnd = false; break loop }
            case .frame(let index, let image):
                if let end = selection.endFrame, index >= end { reachedEnd = false; break loop }
                summary.framesRead += 1
                guard index >= selection.firstFrame else { continue }
                let sampled = selection.isSampled(index)
                if sampled, let cap = options.maxFrames, summary.framesProcessed >= cap { reachedEnd = false; break loop }
                if sampled {
                    last = try detectFrame(image, timings: &summary.timings)
                    summary.framesProcessed += 1
                }
                summary.framesDelivered += 1
                let frame = Frame(index: index, timestamp: selection.timestamp(ofFrame: index), image: image,
                                  processed: sampled, detections: last)
                if try !onStep(.frame(frame)) { summary.stopped = true; reachedEnd = false; break loop }
            }
        }
        summary.endedEarly = reachedEnd && reader.endedEarly
        summary.encodesMade = (reuse?.encodesMade ?? 0) + encodedWithoutReuse - madeBefore
        summary.encodesSaved = (reuse?.encodesSaved ?? 0) - savedBefore
        summary.seconds = secondsSince(start)
        return summary
    }
}
