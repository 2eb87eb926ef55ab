import Foundation

/// One JSON line of `clipdetect VIDEO --json-lines`: a detected frame.
///
/// `{"frame": N, "timestamp": SECONDS, "detections": [{"label", "class_id", "score", "box",
/// "track_id"?}]}` — frame numbers from 0 in the source, timestamp = frame / fps, detections
/// as in the image JSON, best first, `track_id` only with tracking.
public struct VideoFrameDetections: Codable, Sendable, Equatable {
    public var frame: Int
    public var timestamp: Double
    public var detections: [ImageDetections.Item]

    public init(frame: Int, timestamp: Double, detections: [Detection]) {
        self.frame = frame
        self.timestamp = timestamp
        self.detections = detections.sorted { $0.score > $1.score }.map(ImageDetections.Item.init)
    }

    /// The record as one line of JSON with its keys in the documented order (frame, timestamp,
    /// detections; detection keys sorted as in the image JSON), newline-terminated.
    public func jsonLine() throws -> Data {
        var data = Data("{\"frame\":\(frame),\"timestamp\":".utf8)
        data.append(try detectionJSON(timestamp))
        data.append(contentsOf: Array(",\"detections\":".utf8))
        data.append(try detectionJSON(detections))
        data.append(contentsOf: Array("}\n".utf8))
        return data
    }
}
