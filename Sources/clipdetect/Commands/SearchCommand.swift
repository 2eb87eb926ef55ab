import ArgumentParser
import CLIP
import Foundation
import Imaging
import Search

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find the indexed images closest to a text or an image (cosine similarity, best first).",
        discussion: """
            Without --model/--config, the model the index was built with is reloaded.

            Examples:
              clipdetect search "a giraffe" --index photos.sqlite --top 5
              clipdetect search --image query.jpg --index photos.sqlite --json
              clipdetect search "a red car" --index photos.sqlite --sheet cars.jpg
            """)

    @Argument(help: "Text to search for.")
    var query: String?

    @Option(help: "Search with this image instead of a text.")
    var image: String?

    @Option(help: "The index file built by `clipdetect index`.")
    var index: String

    @Option(help: "Number of results.")
    var top = 5

    @Flag(help: "Print a JSON array [{\"path\": P, \"score\": S}] (best first) instead of the table.")
    var json = false

    @Option(help: "Also write a contact sheet (.jpg or .png): the query and the results with rank and score.")
    var sheet: String?

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var fontOption: FontOption

    func validate() throws {
        guard (query == nil) != (image == nil) else {
            throw ValidationError(query == nil ? "no query: give a text (clipdetect search \"a giraffe\" --index FILE) or --image FILE"
                                               : "give either a text query or --image, not both")
        }
        try ArgumentChecks.require("--top", top, atLeast: 1)
        if let sheet, ImageWriter.Format(path: sheet) == nil {
            throw ValidationError("--sheet \(sheet): use a .jpg, .jpeg or .png file name")
        }
    }

    func run() throws {
        try reportingErrors {
            if let sheet { try OutputPlan.checkWritable(file: sheet) }
            let sheetFont = sheet == nil ? nil : try fontOption.load()
            // `validate()` made sure exactly one of the text and the image is given.
            let sheetQuery: ContactSheet.Query
            if let image {
                sheetQuery = .image(try ImageLoader.load(path: image), name: image)
            } else {
                sheetQuery = .text(query ?? "")
            }
            guard FileManager.default.fileExists(atPath: index) else {
                throw CLIPError("\(index): no such index; build it with clipdetect index DIR --index \(index)")
            }
            let db = try ImageIndex(path: index, mode: .readOnly)
            let (model, modelID) = try loadModel(for: db)
            let searcher = try ImageSearcher(index: db, model: model, modelID: modelID)
            let hits: [SearchHit]
            switch sheetQuery {
            case .image(let picture, _): hits = searcher.search(image: picture, k: top)
            case .text(let text): hits = try searcher.search(text: text, k: top)
            }
            if let sheet {
                try ImageWriter.write(ContactSheet(font: sheetFont).render(query: sheetQuery, hits: hits), to: sheet)
            }
            if json {
                try writeJSON(hits)
            } else {
                for (rank, hit) in hits.enumerated() {
                    print(String(format: "%2d  %.4f  ", rank + 1, Double(hit.score)) + hit.path)
                }
                if let sheet { print("contact sheet → \(sheet)") }
            }
        }
    }

    /// The model given on the command line, or else the one model the index was built with.
    private func loadModel(for db: ImageIndex) throws -> (CLIPModel, String) {
        if modelOptions.model != nil || modelOptions.config != nil {
            let model = try modelOptions.load()
            return (model, try modelOptions.indexIdentity(of: model, defaultModel: "shapes-tiny").id)
        }
        let stored = try db.models().filter { $0.imageCount > 0 }
        guard !stored.isEmpty else {
            throw CLIPError("\(index): the index holds no embeddings yet; run clipdetect index DIR --index \(index)")
        }
        guard stored.count == 1 else {
            throw CLIPError("\(index): holds embeddings of several models (\(stored.map { "\"\($0.id)\"" }.joined(separator: ", "))); pick one with --model or --config")
        }
        guard let source = stored[0].source else {
            throw CLIPError("\(index): does not record where model \"\(stored[0].id)\" came from; give --model")
        }
        let options = try ModelOptions.reloading(ModelIdentity.Source(recorded: source))
        let model = try options.load()
        return (model, try options.indexIdentity(of: model, defaultModel: "shapes-tiny").id)
    }
}
