import ArgumentParser
import CLIP
import Foundation
import Imaging

struct Embed: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print CLIP embeddings of images and texts (exactly get_image_features / get_text_features).")

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .customLong("image"), help: "Image file to embed (repeatable).")
    var images: [String] = []

    @Option(name: .customLong("text"), help: "Text to embed (repeatable).")
    var texts: [String] = []

    @Flag(help: "Print one JSON object: {\"logit_scale\", \"images\": [{path, embedding}], \"texts\": [{text, ids, embedding}]}.")
    var json = false

    func validate() throws {
        if images.isEmpty && texts.isEmpty { throw ValidationError("nothing to embed: give --image PATH and/or --text STRING") }
    }

    func run() throws {
        try reportingErrors {
            let model = try modelOptions.load()
            // Decode everything first so that a bad file fails before any work is printed.
            let decoded = try images.map { try ImageLoader.load(path: $0) }
            let out = try EmbeddingReport(model: model, images: Array(zip(images, decoded)), texts: texts)
            if json {
                try writeJSON(out)
            } else {
                print("model \(model.name), embedding dimension \(model.embeddingDimension), logit_scale \(model.logitScaleParameter)")
                for i in out.images { print("image \(i.path): \(preview(i.embedding))") }
                for t in out.texts { print("text \"\(t.text)\" (\(t.ids.count) tokens): \(preview(t.embedding))") }
            }
        }
    }

    private func preview(_ v: [Float]) -> String {
        let head = v.prefix(4).map { String(format: "%.4f", $0) }.joined(separator: ", ")
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return "[\(head), …] norm \(String(format: "%.4f", norm))"
    }
}
