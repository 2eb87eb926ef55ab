import Detection
import Foundation

/// What a user sees at one confidence threshold: how many boxes are drawn per object, and
/// precision and recall at a single IoU, with greedy matching by score.
///
/// ```swift
/// let gt = try COCOGroundTruth.load(from: annotationsURL)
/// let dets = try COCODetection.load(from: resultsURL, groundTruth: gt)
/// let point = OperatingPoint.evaluate(groundTruth: gt, detections: dets)   // IoU 0.5
/// print(point.boxesPerObject, point.precision, point.recall)               // e.g. 1.1 0.83 0.90
/// ```
///
/// Matching, per image: detections in decreasing score order (ties keep input order), each
/// takes the not-yet-taken ground-truth object of the same category with the highest IoU,
/// provided that IoU is ≥ `iouThreshold`; a detection that takes one is a true positive,
/// every other detection a false positive. Crowd regions are not objects: they are left out
/// of the ground truth and can't be matched. Unlike COCO AP there is no cap on detections per
/// image and no score sweep: every detection given counts, so pass exactly what the detector
/// reported at the threshold being judged.
public struct OperatingPoint: Sendable, Codable, Equatable {
    /// Detections counted.
    public var detections: Int
    /// Ground-truth objects (non-crowd) in the evaluated images.
    public var objects: Int
    /// Detections matched to an object.
    public var truePositives: Int
    /// IoU a match needs.
    public var iouThreshold: Double

    /// `detections / objects` (0 when there are no objects).
    public var boxesPerObject: Double { objects == 0 ? 0 : Double(detections) / Double(objects) }
    /// Share of detections that found an object (1 when there are no detections).
    public var precision: Double { detections == 0 ? 1 : Double(truePositives) / Double(detections) }
    /// Share of objects found (1 when there are no objects).
    public var recall: Double { objects == 0 ? 1 : Double(truePositives) / Double(objects) }

    public init(detections: Int, objects: Int, truePositives: Int, iouThreshold: Double) {
        self.detections = detections
        self.objects = objects
        self.truePositives = truePositives
        self.iouThreshold = iouThreshold
    }

    /// Matches `detections` to `groundTruth` on the images `imageIds` (every image of
    /// `groundTruth` when nil); detections on other images are ignored.
    public static func evaluate(groundTruth: COCOGroundTruth, detections: [COCODetection],
                                imageIds: [Int]? = nil, iouThreshold: Double = 0.5) -> OperatingPoint {
        let ids = Set(imageIds ?? groundTruth.images.map(\.id))
        var objectsByImage: [Int: [COCOGroundTruth.Annotation]] = [:]
        for a in groundTruth.annotations where !a.iscrowd && ids.contains(a.imageId) {
            objectsByImage[a.imageId, default: []].append(a)
        }
        var detectionsByImage: [Int: [COCODetection]] = [:]
        for d in detections where ids.contains(d.image_id) { detectionsByImage[d.image_id, default: []].append(d) }
        var matched = 0, counted = 0
        for (imageId, dets) in detectionsByImage {
            counted += dets.count
            let objects = objectsByImage[imageId] ?? []
            var taken = [Bool](repeating: false, count: objects.count)
            let order = dets.indices.sorted { dets[$0].score > dets[$1].score || (dets[$0].score == dets[$1].score && $0 < $1) }
            for i in order {
                let d = dets[i]
                var best = -1, bestIoU = 0.0
                for (k, g) in objects.enumerated() where !taken[k] && g.categoryId == d.category_id {
                    let overlap = xywhIoU(d.bbox, g.bbox)
                    if overlap >= iouThreshold && (best < 0 || overlap > bestIoU) { best = k; bestIoU = overlap }
                }
                if best >= 0 { taken[best] = true; matched += 1 }
            }
        }
        let objects = objectsByImage.values.reduce(0) { $0 + $1.count }
        return OperatingPoint(detections: counted, objects: objects, truePositives: matched, iouThreshold: iouThreshold)
    }

    /// IoU of two `[x, y, width, height]` boxes.
    static func xywhIoU(_ a: [Double], _ b: [Double]) -> Double {
        let iw = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
        let ih = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
        guard iw > 0, ih > 0 else { return 0 }
        let inter = iw * ih
        return inter / (a[2] * a[3] + b[2] * b[3] - inter)
    }
}
