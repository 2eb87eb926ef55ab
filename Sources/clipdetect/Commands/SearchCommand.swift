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

    @Option(help: "The index file built by `clipdetect index`, or a folder of index shards written by tools/ray/clipdetect_ray.py index (read directly).")
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
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: index, isDirectory: &isFolder) else {
                throw CLIPError("\(index): no such index; build it with clipdetect index DIR --index \(index)")
            }
            let db: ImageIndex
            if isFolder.boolValue {  // a cluster run's Parquet shards, imported into memory
                db = try ImageIndex(inMemoryNamed: index)
                for s in try db.importShards(folder: index).skipped { printError("warning: not imported \(s)") }
            } else {
                db = try ImageIndex(path: index, mode: .readOnly)
            }
            let (model, modelID) = try modelOptions.loadForSearch(db)
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
}
