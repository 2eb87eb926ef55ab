import ArgumentParser
import CLIP
import Detection
import Evaluation
import Foundation
import Imaging

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run detection over a COCO-annotated image folder and report COCO AP, AP50, AP75 (overall, per class, held-out).",
        discussion: """
            The category names of the annotations are the classes. Categories flagged "heldout": true
            (as in examples/shapes-bench) are also reported as a separate group.
              clipdetect eval --model shapes-tiny --images examples/shapes-bench --annotations examples/shapes-bench/annotations.json
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var flags: DetectionFlags

    @Option(help: "Folder holding the annotated images (file_name is relative to it).")
    var images: String

    @Option(help: "COCO instances JSON with images, annotations and categories.")
    var annotations: String

    @Option(help: "Also write the detections in COCO results format to this file.")
    var predictions: String?

    @Option(help: "Evaluate only the first N images (quick checks).")
    var limit: Int?

    @Flag(help: "Print the metrics as one JSON object.")
    var json = false

    struct Report: Encodable {
        var images: Int
        var ap: Double, ap50: Double, ap75: Double
        var heldout_ap50: Double?, seen_ap50: Double?
        var heldout_ap: Double?, seen_ap: Double?
        var stats: [Double]
        var per_class: [String: [String: Double]]
        var seconds: Double
        /// At the --conf used, IoU 0.5, greedy by score (`OperatingPoint`).
        var conf: Double
        var boxes_per_object: Double, precision: Double, recall: Double
    }

    func run() throws {
        try reportingErrors {
            let gt = try COCOGroundTruth.load(from: URL(fileURLWithPath: annotations))
            if let predictions { try OutputPlan.checkWritable(file: predictions) }
            guard !gt.categories.isEmpty else { throw DetectionError("\(annotations): no categories") }
            let (detector, model) = try modelOptions.loadDetector(defaultModel: "shapes-tiny", flags: flags)
            let run = try DatasetEvaluation.run(detector, on: gt, imageFolder: images, limit: limit) { done, total, name in
                if stderrIsTerminal { printError("[\(done)/\(total)] \(name)") }
            }
            let (results, seconds, all, h, s) = (run.detections, run.seconds, run.overall, run.heldOut, run.seen)
            let evalImages = run.imageIds
            if let predictions {
                try writeJSON(results, to: predictions)
            }
            let point = OperatingPoint.evaluate(groundTruth: gt, detections: results, imageIds: evalImages)
            var perClass: [String: [String: Double]] = [:]
            for c in gt.categories {
                perClass[c.name] = ["ap": all.perCategory[c.id] ?? -1, "ap50": all.perCategoryAP50[c.id] ?? -1]
            }
            let report = Report(images: evalImages.count, ap: all.ap, ap50: all.ap50, ap75: all.ap75,
                                heldout_ap50: h?.ap50, seen_ap50: s?.ap50, heldout_ap: h?.ap, seen_ap: s?.ap,
                                stats: all.stats, per_class: perClass, seconds: seconds, conf: Double(detector.options.confidence),
                                boxes_per_object: point.boxesPerObject, precision: point.precision, recall: point.recall)
            if json {
                try writeJSON(report)
                return
            }
            print("\(evalImages.count) images, \(results.count) detections, \(String(format: "%.1f", seconds)) s, model \(model.name)")
            print(String(format: "AP %.4f   AP50 %.4f   AP75 %.4f", all.ap, all.ap50, all.ap75))
            print(String(format: "at --conf %g: %.2f boxes per object (%d boxes, %d objects), precision %.3f, recall %.3f (IoU 0.5)",
                         detector.options.confidence, point.boxesPerObject, point.detections, point.objects, point.precision, point.recall))
            if let h, let s {
                print(String(format: "seen classes:     AP %.4f   AP50 %.4f", s.ap, s.ap50))
                print(String(format: "held-out classes: AP %.4f   AP50 %.4f", h.ap, h.ap50))
            }
            print("per class (AP / AP50; -1 = no ground truth):")
            let width = gt.categories.map(\.name.count).max() ?? 10
            for c in gt.categories {
                let tag = c.extra["heldout"] == true ? "  (held out)" : ""
                print("  " + c.name.padding(toLength: width, withPad: " ", startingAt: 0)
                      + String(format: "  %7.4f  %7.4f", all.perCategory[c.id] ?? -1, all.perCategoryAP50[c.id] ?? -1) + tag)
            }
        }
    }
}
