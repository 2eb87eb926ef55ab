import ArgumentParser
import CLIP
import Detection
import Foundation
import Imaging

struct Detect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find the named classes in images or a video (the default command).",
        discussion: """
            Examples:
              clipdetect photo.jpg --classes "person wearing a hat,red backpack"
              clipdetect photos/ --classes "cat:0.4,dog" --output annotated/ --json results.json
            """)

    @Argument(help: "Image files, folders of images, or one video (.mp4 .avi .mov .mkv .webm .m4v, or a frames/%05d.png pattern).")
    var inputs: [String] = []

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var flags: DetectionFlags
    @OptionGroup(title: "Video") var video: VideoFlags
    @OptionGroup var fontOption: FontOption

    @Option(help: "Annotated image file (one input) or folder (several inputs). (default: NAME_detections.EXT in the working directory)")
    var output: String?

    @Flag(name: .customLong("no-save"), help: "Don't write annotated images.")
    var noSave = false

    @Option(help: "Write detections as JSON to FILE, or - for stdout.")
    var json: String?

    @Option(help: "JSON flavour for --json: json (one object per image) or coco (COCO results list; image_id = input order from 1, category_id = class index from 1).")
    var format: OutputFormat = .json

    enum OutputFormat: String, ExpressibleByArgument { case json, coco }

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("no input: give image files or folders, e.g. clipdetect photo.jpg --classes \"cat,dog\"") }
        if video.wanted(for: inputs) { try validateVideoArguments() }
    }

    func run() throws {
        if video.wanted(for: inputs) { return try runVideo() }
        var failed = false
        try reportingErrors {
            let images = try ImageInputs.expand(inputs)
            let outputs = try OutputPlan(output: output, noSave: noSave, inputs: images.map(\.path))
            let annotator = Annotator(font: try fontOption.load())
            if let json, json != "-" { try OutputPlan.checkWritable(file: json) }
            let session = try DetectionSession(modelOptions: modelOptions, flags: flags)
            var results: [ImageDetections] = []
            var coco: [COCODetection] = []
            let jsonToStdout = json == "-"
            for (index, input) in images.enumerated() {
                let start = Date()
                let loaded: (image: RGBImage, detections: [Detection])
                do {
                    loaded = try session.detect(path: input.path)
                } catch let error as ImagingError {
                    if input.fromFolder {
                        printError("warning: skipping \(error)")
                    } else {
                        printError("error: \(error)")
                        failed = true
                    }
                    continue
                }
                let (image, detections) = loaded
                if let path = outputs.path(for: index) {
                    try ImageWriter.write(annotator.draw(detections, on: image), to: path)
                }
                results.append(session.record(path: input.path, image: image, detections: detections))
                coco += detections.map { COCODetection(imageId: index + 1, categoryId: $0.classId + 1, box: $0.box, score: $0.score) }
                if !jsonToStdout {
                    printTable(input.path, image, detections, seconds: Date().timeIntervalSince(start), saved: outputs.path(for: index))
                }
                if images.count > 1, stderrIsTerminal {
                    printError("[\(index + 1)/\(images.count)] \(input.path): \(detections.count) detections")
                }
            }
            // When every input failed, leave no output behind.
            if let json, !(results.isEmpty && failed) {
                if format == .coco { try writeJSON(coco, to: json) } else { try writeJSON(results, to: json) }
            }
        }
        if failed { throw ExitCode.failure }
    }

    private func printTable(_ path: String, _ image: RGBImage, _ detections: [Detection], seconds: Double, saved: String?) {
        let header = "\(path) (\(image.width)x\(image.height), \(String(format: "%.2f", seconds)) s)"
        guard !detections.isEmpty else {
            print("\(header): no detections")
            return
        }
        print("\(header): \(detections.count) detection\(detections.count == 1 ? "" : "s")\(saved.map { " → \($0)" } ?? "")")
        // Terminal columns, not characters: a Chinese label takes two columns per character.
        let width = max(5, detections.map { DisplayWidth.columns($0.label) }.max() ?? 5)
        print("  " + DisplayWidth.padded("label", to: width) + "  score      x1      y1      x2      y2")
        for d in detections {
            print("  " + DisplayWidth.padded(d.label, to: width)
                  + String(format: "  %.3f  %6.1f  %6.1f  %6.1f  %6.1f", d.score, d.box.x1, d.box.y1, d.box.x2, d.box.y2))
        }
    }
}
