import CLIP
import Detection
import Foundation
import Imaging

/// A loaded detector with its classes set: the one path from an image or video file to the
/// `--json` / `--json-lines` records, shared by `clipdetect IMAGE…` (`Detect`) and
/// `clipdetect worker` so both write the same records for the same file and flags.
///
/// ```swift
/// let session = try DetectionSession(modelOptions: modelOptions, flags: flags)
/// let (image, detections) = try session.detect(path: "photo.jpg")
/// let record = session.record(path: "photo.jpg", image: image, detections: detections)  // ImageDetections
/// ```
struct DetectionSession {
    let detector: any ObjectDetector
    let model: DetectionModel
    let classNames: [String]

    /// Loads the model of `modelOptions` (default shapes-tiny) and embeds the classes of `flags`
    /// once.
    init(modelOptions: ModelOptions, flags: DetectionFlags) throws {
        let specs = try flags.classSpecs()  // bad class flags fail before the model loads
        try self.init(model: modelOptions.loadForDetection(defaultModel: "shapes-tiny"), flags: flags, specs: specs)
    }

    /// A session over a model already loaded (`ModelOptions.loadForDetection`).
    init(model: DetectionModel, flags: DetectionFlags) throws {
        try self.init(model: model, flags: flags, specs: flags.classSpecs())
    }

    private init(model: DetectionModel, flags: DetectionFlags, specs: [ClassSpec]) throws {
        detector = try model.detector(options: try flags.detectorOptions(base: model.defaultOptions))
        try detector.setClasses(specs)
        self.model = model
        classNames = specs.map(\.name)
    }

    /// Decodes the image at `path` and detects in it.
    func detect(path: String) throws -> (image: RGBImage, detections: [Detection]) {
        let image = try ImageLoader.load(path: path)
        var timings = StageTimings()
        return (image, try detector.detect(image, timings: &timings, reuse: nil))
    }

    /// The `--json` element of one image.
    func record(path: String, image: RGBImage, detections: [Detection]) -> ImageDetections {
        ImageDetections(image: path, width: image.width, height: image.height,
                        model: model.name, classes: classNames, detections: detections)
    }

    /// The detected frames of the video at `path` with `options` (the CLI's video flags), as the
    /// image element of each frame plus its frame number and timestamp (`--json-lines`' fields).
    /// Reuse cache and tracker start afresh for every video, as in `clipdetect VIDEO`.
    func detectVideo(path: String, options: VideoOptions) throws -> [DetectionRecord] {
        let reader = try VideoReader(path: path)
        let video = try VideoDetector(detector: detector, options: options)
        var frames: [DetectionRecord] = []
        _ = try video.run(reader) { step in
            if case .frame(let f) = step, f.processed {
                frames.append(DetectionRecord(image: record(path: path, image: f.image, detections: f.detections),
                                               frame: f.index, timestamp: f.timestamp))
            }
            return true
        }
        return frames
    }
}

/// One `--json` record as `clipdetect worker` writes it: an image's element as is (`image`,
/// `width`, `height`, `model`, `classes`, `detections`), and for a video frame the same keys
/// plus `frame` and `timestamp` as in `--json-lines`.
struct DetectionRecord: Encodable {
    var image: ImageDetections
    var frame: Int?
    var timestamp: Double?

    enum Keys: String, CodingKey { case frame, timestamp }

    func encode(to encoder: Encoder) throws {
        try image.encode(to: encoder)
        var c = encoder.container(keyedBy: Keys.self)
        try c.encodeIfPresent(frame, forKey: .frame)
        try c.encodeIfPresent(timestamp, forKey: .timestamp)
    }
}

extension DetectionFlags {
    /// True when a class flag is given (--classes, --classes-file or --class-image).
    var hasClasses: Bool { classes != nil || classesFile != nil || !classImages.isEmpty }
}
