import Foundation

/// The JSON written by `clipdetect --json`: one object per image.
///
/// `{"image": PATH, "width": W, "height": H, "model": M, "classes": [...],
///   "detections": [{"label": L, "class_id": I, "score": S, "box": [x1, y1, x2, y2]}]}`
/// Boxes are in pixels of the original image, scores in [0, 1], detections sorted by score.
public struct ImageDetections: Codable, Sendable, Equatable {
    public struct Item: Codable, Sendable, Equatable {
        public var label: String
        public var class_id: Int
        public var score: Float
        public var box: [Float]
        public var track_id: Int?

        public init(_ d: Detection) {
            label = d.label
            class_id = d.classId
            score = d.score
            box = [d.box.x1, d.box.y1, d.box.x2, d.box.y2]
            track_id = d.trackId
        }
    }

    public var image: String
    public var width: Int
    public var height: Int
    public var model: String
    public var classes: [String]
    public var detections: [Item]

    public init(image: String, width: Int, height: Int, model: String, classes: [String], detections: [Detection]) {
        self.image = image
        self.width = width
        self.height = height
        self.model = model
        self.classes = classes
        self.detections = detections.sorted { $0.score > $1.score }.map(Item.init)
    }
}

/// JSON encoding used for every machine-readable output: stable key order, no escaped slashes.
public func detectionJSON<T: Encodable>(_ value: T, pretty: Bool = false) throws -> Data {
    let enc = JSONEncoder()
    enc.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
    return try enc.encode(value)
}
