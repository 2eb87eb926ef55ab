import ArgumentParser
import CLIP
import Detection
import Foundation
import Imaging

struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Zero-shot classification: the probability of each named class per image.",
        discussion: """
            Probabilities are softmax(exp(logit_scale) · cos(image, class)) over the classes.

            Examples:
              clipdetect classify cat.jpg dog.jpg --classes "cat,dog,car"
              clipdetect classify photos/ --classes "beach,city,forest" --ensemble --top 1 --json
            """)

    @Argument(help: "Image files or folders of images (not recursive).")
    var inputs: [String] = []

    @Option(help: "Classes, comma-separated, e.g. \"cat,dog,car\".")
    var classes: String?

    @Option(help: "Show the K most probable classes per image. (default: 5 in the table; every class in --json)")
    var top: Int?

    @Option(help: "Prompt template with {} for the class name. (default: \"\(ZeroShotClassifier.defaultTemplate)\")")
    var template: String?

    @Flag(help: "Average the embeddings of CLIP's 80 ImageNet prompt templates.")
    var ensemble = false

    @Flag(help: "Print a JSON array [{\"image\": PATH, \"probabilities\": {CLASS: P, …}}] instead of the table.")
    var json = false

    @Option(name: .customLong("batch-size"), help: "Images encoded per batch.")
    var batchSize = 32

    @OptionGroup var modelOptions: ModelOptions

    struct Result: Encodable {
        var image: String
        var probabilities: [String: Float]
    }

    func run() throws {
        var failed = false
        try reportingErrors {
            guard !inputs.isEmpty else { throw CLIPError("no input: give image files or folders, e.g. clipdetect classify cat.jpg --classes \"cat,dog\"") }
            guard let classes else { throw CLIPError("no classes given: use --classes \"cat,dog,car\"") }
            let names = splitList(classes)
            guard !names.isEmpty else { throw CLIPError("--classes is empty; give at least one class, e.g. --classes \"cat,dog\"") }
            if let top, top < 1 { throw CLIPError("--top \(top): must be ≥ 1") }
            guard batchSize >= 1 else { throw CLIPError("--batch-size \(batchSize): must be ≥ 1") }
            if template != nil, ensemble { throw CLIPError("--template and --ensemble are exclusive: pick one") }
            if let template { try ZeroShotClassifier.validate(template: template) }
            let templates = ensemble ? PromptTemplates.imagenet : [template ?? ZeroShotClassifier.defaultTemplate]
            let files = try ImageInputs.expand(inputs)
            let model = try modelOptions.load(defaultModel: "shapes-tiny")
            let classifier = try ZeroShotClassifier(model: model, classes: names, templates: templates)
            var results: [Result] = []
            for start in stride(from: 0, to: files.count, by: batchSize) {
                var images: [RGBImage] = [], paths: [String] = []
                for input in files[start..<min(start + batchSize, files.count)] {
                    do {
                        images.append(try ImageLoader.load(path: input.path))
                        paths.append(input.path)
                    } catch {
                        printError("error: \(error)")
                        failed = true
                    }
                }
                for (path, c) in zip(paths, classifier.classify(images, batchSize: batchSize)) {
                    if json {
                        let shown = c.top(top ?? names.count)
                        results.append(Result(image: path, probabilities: Dictionary(uniqueKeysWithValues: shown.map { ($0.name, $0.probability) })))
                    } else {
                        printTable(path, c.top(top ?? 5))
                    }
                }
            }
            if json, !(results.isEmpty && failed) {
                let enc = JSONEncoder()
                enc.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
                try writeOutput(enc.encode(results) + Data("\n".utf8), to: "-")
            }
        }
        if failed { throw ExitCode.failure }
    }

    private func printTable(_ path: String, _ ranked: [(name: String, probability: Float)]) {
        print(path)
        let width = ranked.map(\.name.count).max() ?? 0
        for (name, p) in ranked {
            print("  " + name.padding(toLength: width, withPad: " ", startingAt: 0) + String(format: "  %.4f", Double(p)))
        }
    }
}
