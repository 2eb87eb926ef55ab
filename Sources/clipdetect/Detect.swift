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

    @Option(help: "Annotated image file (one input) or folder (several inputs). (default: NAME_detections.EXT in the working directory)")
    var output: String?

    @Flag(name: .customLong("no-save"), help: "Don't write annotated images.")
    var noSave = false

    @Option(help: "Write detections as JSON to FILE, or - for stdout.")
    var json: String?

    @Option(help: "JSON flavour for --json: json (one object per image) or coco (COCO results list; image_id = input order from 1, category_id = class index from 1).")
    var format: OutputFormat = .json

    enum OutputFormat: String, ExpressibleByArgument { case json, coco }

    func run() throws {
        if !inputs.isEmpty, video.wanted(for: inputs) { return try runVideo() }
        var failed = false
        try reportingErrors {
            guard !inputs.isEmpty else { throw DetectionError("no input: give image files or folders, e.g. clipdetect photo.jpg --classes \"cat,dog\"") }
            let options = try flags.detectorOptions()
            let images = try ImageInputs.expand(inputs)
            let outputs = try OutputPlan(output: output, noSave: noSave, inputs: images.map(\.path))
            if let json, json != "-" { try OutputPlan.checkWritable(file: json) }
            let specs = try flags.classSpecs()
            let model = try modelOptions.load(defaultModel: "shapes-tiny")
            let detector = try Detector(model: model, options: options)
            try detector.setClasses(specs)
            let classNames = specs.map(\.name)
            var results: [ImageDetections] = []
            var coco: [COCODetection] = []
            let jsonToStdout = json == "-"
            for (index, input) in images.enumerated() {
                let start = Date()
                let image: RGBImage
                do {
                    image = try ImageLoader.load(path: input.path)
                } catch {
                    if input.fromFolder {
                        printError("warning: skipping \(error)")
                    } else {
                        printError("error: \(error)")
                        failed = true
                    }
                    continue
                }
                let detections = try detector.detect(image)
                if let path = outputs.path(for: index) {
                    try ImageWriter.write(Annotator().draw(detections, on: image), to: path)
                }
                results.append(ImageDetections(image: input.path, width: image.width, height: image.height,
                                               model: model.name, classes: classNames, detections: detections))
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
                var data = format == .coco ? try detectionJSON(coco) : try detectionJSON(results)
                data.append(0x0A)
                try writeOutput(data, to: json)
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
        let width = max(5, detections.map(\.label.count).max() ?? 5)
        print("  " + "label".padding(toLength: width, withPad: " ", startingAt: 0) + "  score      x1      y1      x2      y2")
        for d in detections {
            print("  " + d.label.padding(toLength: width, withPad: " ", startingAt: 0)
                  + String(format: "  %.3f  %6.1f  %6.1f  %6.1f  %6.1f", d.score, d.box.x1, d.box.y1, d.box.x2, d.box.y2))
        }
    }
}

/// Expands command-line inputs into image files: files as given, folders to their images
/// (sorted, not recursive).
enum ImageInputs {
    struct Input { var path: String; var fromFolder: Bool }
    static let extensions: Set<String> = ["jpg", "jpeg", "png", "bmp", "tif", "tiff", "webp", "gif", "pgm", "ppm", "pnm"]

    static func expand(_ inputs: [String]) throws -> [Input] {
        var out: [Input] = []
        let fm = FileManager.default
        for path in inputs {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
                throw DetectionError("\(path): no such file or folder")
            }
            if isDir.boolValue {
                let names = try fm.contentsOfDirectory(atPath: path).sorted()
                let images = names.filter { extensions.contains(($0 as NSString).pathExtension.lowercased()) && !$0.hasPrefix(".") }
                guard !images.isEmpty else { throw DetectionError("\(path): folder has no images (\(extensions.sorted().joined(separator: ", ")))") }
                out += images.map { Input(path: (path as NSString).appendingPathComponent($0), fromFolder: true) }
            } else {
                out.append(Input(path: path, fromFolder: false))
            }
        }
        return out
    }
}

/// Where annotated images go. Decided (and checked writable) before any work, so a bad
/// output folder fails fast and never leaves partial results.
struct OutputPlan {
    private var paths: [String?]

    init(output: String?, noSave: Bool, inputs: [String]) throws {
        let fm = FileManager.default
        if noSave {
            paths = inputs.map { _ in nil }
            return
        }
        func annotatedName(_ input: String) -> String {
            let url = URL(fileURLWithPath: input)
            let ext = url.pathExtension.lowercased() == "png" ? "png" : "jpg"
            return url.deletingPathExtension().lastPathComponent + "_detections." + ext
        }
        var isDir: ObjCBool = false
        let outputIsFolder = output.map { fm.fileExists(atPath: $0, isDirectory: &isDir) && isDir.boolValue
            || $0.hasSuffix("/") || ImageWriter.Format(path: $0) == nil } ?? false
        if let output, !outputIsFolder {
            guard inputs.count == 1 else {
                throw DetectionError("--output \(output): several inputs need an output folder, not a file")
            }
            paths = [output]
        } else {
            let folder = output ?? fm.currentDirectoryPath
            if output != nil, !fm.fileExists(atPath: folder) {
                do { try fm.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                    throw DetectionError("\(folder): cannot create the output folder (\(error.localizedDescription))")
                }
            }
            var used = Set<String>()
            paths = inputs.map { input in
                var name = annotatedName(input)
                var n = 2
                while used.contains(name) {  // same file name from two folders
                    name = URL(fileURLWithPath: annotatedName(input)).deletingPathExtension().lastPathComponent + "_\(n)." + URL(fileURLWithPath: annotatedName(input)).pathExtension
                    n += 1
                }
                used.insert(name)
                return (folder as NSString).appendingPathComponent(name)
            }
        }
        for (input, out) in zip(inputs, paths) {
            guard let out else { continue }
            if URL(fileURLWithPath: out).standardizedFileURL.path == URL(fileURLWithPath: input).standardizedFileURL.path {
                throw DetectionError("\(out): refusing to overwrite the input image; choose another --output")
            }
            try OutputPlan.checkWritable(file: out)
        }
    }

    func path(for index: Int) -> String? { paths[index] }

    /// Throws unless the folder that would hold `file` exists and is writable.
    static func checkWritable(file: String) throws {
        let dir = (URL(fileURLWithPath: file).deletingLastPathComponent().path)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw DetectionError("\(file): output folder \(dir) does not exist")
        }
        guard FileManager.default.isWritableFile(atPath: dir) else {
            throw DetectionError("\(file): output folder \(dir) is not writable")
        }
    }
}
