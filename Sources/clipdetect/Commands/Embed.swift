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

    struct Output: Encodable {
        struct Image: Encodable { var path: String; var embedding: [Float] }
        struct Text: Encodable { var text: String; var ids: [Int32]; var embedding: [Float] }
        var logit_scale: Float
        var images: [Image]
        var texts: [Text]
    }

    func validate() throws {
        if images.isEmpty && texts.isEmpty { throw ValidationError("nothing to embed: give --image PATH and/or --text STRING") }
    }

    func run() throws {
        try reportingErrors {
            let model = try modelOptions.load()
            // Decode everything first so that a bad file fails before any work is printed.
            let decoded = try images.map { try ImageLoader.load(path: $0) }
            let imageEmb = model.encodeImages(decoded)
            let ids = texts.map { model.tokenize($0) }
            for (t, tok) in zip(texts, ids) where tok.truncated {
                model.onWarning("text truncated to \(model.contextLength) tokens: \"\(t.prefix(60))\"")
            }
            let textEmb = try model.textFeatures(ids: ids.map(\.ids))
            let out = Output(
                logit_scale: model.logitScaleParameter,
                images: zip(images, imageEmb).map { Output.Image(path: $0, embedding: $1) },
                texts: (0..<texts.count).map { Output.Text(text: texts[$0], ids: ids[$0].ids, embedding: textEmb[$0]) })
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
