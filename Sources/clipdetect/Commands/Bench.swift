import ArgumentParser
import CLIP
import Detection
import Foundation
import Imaging

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure image and text encoder throughput (release builds only say anything about speed).")

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "Images (and texts) per batch.")
    var batch = 32

    @Option(help: "Timed image batches after one warm-up batch.")
    var iterations = 4

    @Flag(help: "Print one JSON object instead of a report.")
    var json = false

    @Option(help: "Instead of the encoders, time each stage of detection on this image (decode, proposals, crops, encode, score, NMS, refine, draw).")
    var detect: String?

    @OptionGroup(title: "Detection (with --detect)") var detection: DetectionFlags

    struct Report: Encodable {
        var model: String
        var batch: Int
        var images_per_s: Double
        var texts_per_s: Double
        var image_gflops_per_s: Double
        var text_gflops_per_s: Double
        var image_gflop_per_item: Double
        var image_sgemm_share: Double
        var image_attention_share: Double
        var peak_rss_mb: Double
        var threads: Int
    }

    func validate() throws {
        try ArgumentChecks.require("--batch", batch, in: 1...4096)
        try ArgumentChecks.require("--iterations", iterations, atLeast: 1)
    }

    func run() throws {
        try reportingErrors {
            if let detect {
                try benchDetection(path: detect)
                return
            }
            let model = try modelOptions.load(defaultModel: "shapes-tiny")
            let s = model.imageSize
            // Seeded pixels in the normalised range: speed does not depend on content.
            var rng: UInt64 = 42
            let pixels = (0..<(batch * 3 * s * s)).map { _ -> Float in
                rng = rng &* 6364136223846793005 &+ 1442695040888963407
                return Float(Int(rng >> 40) % 4000) / 1000 - 2
            }
            _ = pixels.withUnsafeBufferPointer { model.imageFeatures(pixelValues: $0, count: batch, batchSize: batch) }
            Profiling.reset()
            Profiling.enabled = true
            let t0 = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<iterations {
                _ = pixels.withUnsafeBufferPointer { model.imageFeatures(pixelValues: $0, count: batch, batchSize: batch) }
            }
            let imageSeconds = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
            Profiling.enabled = false
            let gemmShare = Profiling.gemmSeconds / imageSeconds
            let attnShare = Profiling.attentionSeconds / imageSeconds

            let nouns = ["cat", "dog", "person wearing a hat", "red backpack", "bicycle", "traffic light", "giraffe", "bus"]
            let texts = (0..<batch).map { "a photo of a \(nouns[$0 % nouns.count])." }
            let ids = texts.map { model.tokenize($0).ids }
            _ = try model.textFeatures(ids: ids, batchSize: batch)
            let textIterations = max(iterations * 4, 8)
            let t1 = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<textIterations { _ = try model.textFeatures(ids: ids, batchSize: batch) }
            let textSeconds = Double(DispatchTime.now().uptimeNanoseconds - t1) * 1e-9
            let textFlops = ids.reduce(0) { $0 + model.textFLOPs(tokens: $1.count) } * Double(textIterations)

            let images = Double(batch * iterations)
            let report = Report(
                model: model.name, batch: batch,
                images_per_s: images / imageSeconds,
                texts_per_s: Double(batch * textIterations) / textSeconds,
                image_gflops_per_s: images * model.imageFLOPs / imageSeconds / 1e9,
                text_gflops_per_s: textFlops / textSeconds / 1e9,
                image_gflop_per_item: model.imageFLOPs / 1e9,
                image_sgemm_share: gemmShare, image_attention_share: attnShare,
                peak_rss_mb: peakResidentMegabytes(),
                threads: ProcessInfo.processInfo.activeProcessorCount)
            if json {
                try writeJSON(report)
            } else {
                print("model \(report.model), batch \(batch), \(report.threads) cores")
                print(String(format: "images: %.2f images/s, %.1f GFLOP/s (%.2f GFLOP/image); linear-layer sgemm %.1f%%, attention core %.1f%%, other %.1f%%",
                             report.images_per_s, report.image_gflops_per_s, report.image_gflop_per_item,
                             100 * gemmShare, 100 * attnShare, 100 * (1 - gemmShare - attnShare)))
                print(String(format: "texts:  %.1f texts/s, %.1f GFLOP/s", report.texts_per_s, report.text_gflops_per_s))
                print(String(format: "peak resident memory: %.0f MB", report.peak_rss_mb))
            }
        }
    }
}

extension Bench {
    struct DetectReport: Encodable {
        var model: String
        var image: String
        var iterations: Int
        var crops: Int
        var seconds: [String: Double]
        var total_s: Double
        var outside_encoder_share: Double
        var crops_per_s: Double
        var detections: Int
        var peak_rss_mb: Double
        /// Shares of the encode stage spent in linear-layer GEMMs and in the attention core.
        var encode_gemm_share: Double
        var encode_attention_share: Double
    }

    /// Runs the whole detection pipeline `iterations` times after one warm-up and reports
    /// mean seconds per stage.
    func benchDetection(path: String) throws {
        let specs = detection.classes == nil && detection.classesFile == nil && detection.classImages.isEmpty
            ? try ClassSpec.parseList("person,car,dog,red star,blue circle") : try detection.classSpecs()
        let (detector, model) = try modelOptions.loadDetector(defaultModel: "shapes-tiny", flags: detection) { options in
            if detection.batchSize == DetectorOptions().batchSize { options.batchSize = batch }
        }
        try detector.setClasses(specs)
        var total = StageTimings()
        var count = 0
        for i in 0...iterations {
            var t = StageTimings()
            var t0 = DispatchTime.now().uptimeNanoseconds
            let image = try ImageLoader.load(path: path)
            t.decode = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
            let dets = try detector.detect(image, timings: &t, reuse: nil)
            t0 = DispatchTime.now().uptimeNanoseconds
            _ = try ImageWriter.encode(Annotator().draw(dets, on: image), format: .jpeg)
            t.draw = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
            if i > 0 { total += t; count = dets.count }  // first run warms caches
            if i == 0 { Profiling.reset(); Profiling.enabled = true }
        }
        let n = Double(iterations)
        let stages: [(String, Double)] = [("decode", total.decode), ("proposals", total.proposals), ("crops", total.crops),
                                         ("encode", total.encode), ("score", total.score), ("nms", total.nms), ("refine", total.refine),
                                         ("draw", total.draw)]
        let report = DetectReport(
            model: model.name, image: path, iterations: iterations, crops: total.cropCount / iterations,
            seconds: Dictionary(uniqueKeysWithValues: stages.map { ($0.0, $0.1 / n) }),
            total_s: total.total / n, outside_encoder_share: total.outsideEncoder / total.total,
            crops_per_s: Double(total.cropCount) / total.total, detections: count, peak_rss_mb: peakResidentMegabytes(),
            encode_gemm_share: Profiling.gemmSeconds / total.encode, encode_attention_share: Profiling.attentionSeconds / total.encode)
        Profiling.enabled = false
        if json {
            try writeJSON(report)
            return
        }
        print("detection on \(path) with \(model.name): \(report.crops) crops, mean of \(iterations) run(s) after a warm-up")
        for (name, secs) in stages {
            print("  " + name.padding(toLength: 10, withPad: " ", startingAt: 0)
                  + String(format: " %9.1f ms  %5.1f%%", secs / n * 1000, 100 * secs / total.total))
        }
        print("  total     " + String(format: " %9.1f ms  (outside the encoder: %.1f%%)", report.total_s * 1000, 100 * report.outside_encoder_share))
        print(String(format: "  %.1f crops/s end to end", report.crops_per_s))
    }
}

/// Peak resident set size of this process (ru_maxrss is in KiB on Linux).
func peakResidentMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}
