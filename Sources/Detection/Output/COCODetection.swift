import Foundation

/// One detection in COCO results format (`[{"image_id", "category_id", "bbox", "score"}]`),
/// the file `pycocotools.coco.COCO.loadRes` reads. `bbox` is `[x, y, width, height]`.
///
/// ```swift
/// let d = COCODetection(imageId: 1, categoryId: 3, box: detection.box, score: detection.score)
/// let dets = try COCODetection.load(from: resultsURL, groundTruth: gt)   // import Evaluation
/// let metrics = COCOEvaluator.evaluate(groundTruth: gt, detections: dets)
/// try detectionJSON(dets).write(to: outURL)                        // the same format back
/// ```
///
/// Numbers are kept as doubles (what pycocotools reads); a value that is exactly a `Float`
/// (every detection made by this package) is written in `Float`'s shortest form, so
/// `0.25f` is written `0.25`, not `0.25` plus float noise.
public struct COCODetection: Sendable, Codable, Equatable {
    public var image_id: Int
    public var category_id: Int
    public var bbox: [Double]
    public var score: Double

    public init(image_id: Int, category_id: Int, bbox: [Double], score: Double) {
        self.image_id = image_id
        self.category_id = category_id
        self.bbox = bbox
        self.score = score
    }

    /// A detection of this package: `box` as `[x1, y1, width, height]`.
    public init(imageId: Int, categoryId: Int, box: Box, score: Float) {
        self.init(image_id: imageId, category_id: categoryId,
                  bbox: [Double(box.x1), Double(box.y1), Double(box.x2 - box.x1), Double(box.y2 - box.y1)],
                  score: Double(score))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(image_id, forKey: .image_id)
        try c.encode(category_id, forKey: .category_id)
        var box = c.nestedUnkeyedContainer(forKey: .bbox)
        for v in bbox { try Self.encodeNumber(v, into: &box) }
        if let f = Float(exactly: score) { try c.encode(f, forKey: .score) } else { try c.encode(score, forKey: .score) }
    }

    private static func encodeNumber(_ v: Double, into c: inout UnkeyedEncodingContainer) throws {
        if let f = Float(exactly: v) { try c.encode(f) } else { try c.encode(v) }
    }
}
