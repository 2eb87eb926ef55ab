import CLIP
import Detection
import Foundation
import Imaging

/// Detection over a COCO-annotated image folder, scored as pycocotools would: the loop behind
/// `clipdetect eval` and the benchmark floor tests.
///
/// ```swift
/// let gt = try COCOGroundTruth.load(from: URL(fileURLWithPath: "examples/shapes-bench/annotations.json"))
/// let detector = try Detector(model: try CLIPModel(folder: ModelLocator.resolve("shapes-tiny")))
/// let run = try DatasetEvaluation.run(detector, on: gt, imageFolder: "examples/shapes-bench")
/// print(run.overall.ap, run.overall.ap50, run.heldOut?.ap50 ?? .nan)
/// ```
///
/// Preconditions: none on `detector` — its classes are set here to the category names, in
/// the order of `groundTruth.categories`. Postconditions: `detections` hold every detection in
/// COCO results form (category ids of the ground truth), in image order, best first per image.
public enum DatasetEvaluation {
    /// What one evaluation run measured.
    public struct Result: Sendable {
        /// The images evaluated (all, or the first `limit`).
        public var imageIds: [Int]
        /// Every detection, in COCO results form.
        public var detections: [COCODetection]
        /// Detection time (decode + detect), seconds.
        public var seconds: Double
        /// Over every category.
        public var overall: COCOMetrics
        /// Over categories flagged `"heldout": true`, when there are any.
        public var heldOut: COCOMetrics?
        /// Over categories flagged `"heldout": false`, when there are any.
        public var seen: COCOMetrics?
    }

    /// Detects the ground truth's categories in each of its images (`imageFolder` + `file_name`)
    /// and evaluates. `limit` keeps the first N images; `progress` is called after each image
    /// with (done, total, file name).
    ///
    /// - Throws: `DetectionError` when the ground truth has no categories; what loading an image
    ///   or detecting throws (the error names the image file).
    public static func run(_ detector: any ObjectDetector, on groundTruth: COCOGroundTruth, imageFolder: String,
                           limit: Int? = nil, progress: ((Int, Int, String) -> Void)? = nil) throws -> Result {
        guard !groundTruth.categories.isEmpty else { throw DetectionError("the annotations list no categories") }
        try detector.setClasses(groundTruth.categories.map { ClassSpec($0.name) })
        var images = groundTruth.images
        if let limit { images = Array(images.prefix(max(0, limit))) }
        var detections: [COCODetection] = []
        let start = Date()
        for (i, image) in images.enumerated() {
            let path = (imageFolder as NSString).appendingPathComponent(image.fileName)
            let rgb = try ImageLoader.load(path: path)
            var timings = StageTimings()
            detections += try detector.detect(rgb, timings: &timings, reuse: nil).map {
                COCODetection(imageId: image.id, categoryId: groundTruth.categories[$0.classId].id, box: $0.box, score: $0.score)
            }
            progress?(i + 1, images.count, image.fileName)
        }
        let seconds = Date().timeIntervalSince(start)
        return evaluate(detections, against: groundTruth, imageIds: images.map(\.id), seconds: seconds)
    }

    /// Scores `detections` overall and for the held-out / seen category groups.
    public static func evaluate(_ detections: [COCODetection], against groundTruth: COCOGroundTruth,
                                imageIds: [Int], seconds: Double = 0) -> Result {
        let heldOutIds = groundTruth.categories.filter { $0.extra["heldout"] == true }.map(\.id)
        let seenIds = groundTruth.categories.filter { $0.extra["heldout"] == false }.map(\.id)
        func group(_ ids: [Int]) -> COCOMetrics? {
            ids.isEmpty ? nil : COCOEvaluator.evaluate(groundTruth: groundTruth, detections: detections, categoryIds: ids, imageIds: imageIds)
        }
        return Result(imageIds: imageIds, detections: detections, seconds: seconds,
                      overall: COCOEvaluator.evaluate(groundTruth: groundTruth, detections: detections, imageIds: imageIds),
                      heldOut: group(heldOutIds), seen: group(seenIds))
    }
}
