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

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("no input: give image files or folders, e.g. clipdetect classify cat.jpg --classes \"cat,dog\"") }
        guard let classes else { throw ValidationError("no classes given: use --classes \"cat,dog,car\"") }
        guard !splitList(classes).isEmpty else { throw ValidationError("--classes is empty; give at least one class, e.g. --classes \"cat,dog\"") }
        if let top { try ArgumentChecks.require("--top", top, atLeast: 1) }
        try ArgumentChecks.require("--batch-size", batchSize, atLeast: 1)
        try ArgumentChecks.exclusive(["--template", "--ensemble"], given: [template != nil, ensemble])
        if let template { try ArgumentChecks.check("--template") { try ZeroShotClassifier.validate(template: template) } }
    }

    func run() throws {
        var failed = false
        try reportingErrors {
            let names = splitList(classes ?? "")
            let templates = ensemble ? PromptTemplates.imagenet : [template ?? ZeroShotClassifier.defaultTemplate]
            let files = try ImageInputs.expand(inputs)
            let model = try modelOptions.load(defaultModel: "shapes-tiny")
            let classifier = try ZeroShotClassifier(model: model, classes: names, templates: templates)
            var results: [ClassificationReport] = []
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
                        results.append(ClassificationReport(image: path, c, top: top))
                    } else {
                        printTable(path, c.top(top ?? 5))
                    }
                }
            }
            if json, !(results.isEmpty && failed) {
                try writeJSON(results)
            }
        }
        if failed { throw ExitCode.failure }
    }

    private func printTable(_ path: String, _ ranked: [(name: String, probability: Float)]) {
        print(path)
        let width = ranked.map { DisplayWidth.columns($0.name) }.max() ?? 0
        for (name, p) in ranked {
            print("  " + DisplayWidth.padded(name, to: width) + String(format: "  %.4f", Double(p)))
        }
    }
}
