import ArgumentParser
import CLIP
import Foundation
import Imaging

struct SimilarityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similarity",
        abstract: "Cosine similarity of two images' CLIP embeddings (1: same direction).",
        discussion: "Example: clipdetect similarity a.jpg b.jpg")

    @Argument(help: "The first image.")
    var first: String

    @Argument(help: "The second image.")
    var second: String

    @Flag(help: "Print {\"a\": PATH, \"b\": PATH, \"cosine\": C} instead of the bare number.")
    var json = false

    @OptionGroup var modelOptions: ModelOptions

    struct Output: Encodable { var a: String; var b: String; var cosine: Float }

    func run() throws {
        try reportingErrors {
            // Decode both first so a bad file fails before the model loads.
            let images = [try ImageLoader.load(path: first), try ImageLoader.load(path: second)]
            let model = try modelOptions.load(defaultModel: "shapes-tiny")
            let embeddings = model.encodeImages(images)
            let cosine = Similarity.cosine(embeddings[0], embeddings[1])
            if json {
                try writeJSON(Output(a: first, b: second, cosine: cosine))
            } else {
                print(String(format: "%.6f", Double(cosine)))
            }
        }
    }
}
