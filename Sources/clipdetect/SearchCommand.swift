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

    func run() throws {
        try reportingErrors {
            guard (query == nil) != (image == nil) else {
                throw CLIPError(query == nil ? "no query: give a text (clipdetect search \"a giraffe\" --index FILE) or --image FILE"
                                             : "give either a text query or --image, not both")
            }
            guard top >= 1 else { throw CLIPError("--top \(top): must be ≥ 1") }
            if let sheet {
                guard ImageWriter.Format(path: sheet) != nil else { throw CLIPError("--sheet \(sheet): use a .jpg, .jpeg or .png file name") }
                try OutputPlan.checkWritable(file: sheet)
            }
            let queryImage = try image.map { try ImageLoader.load(path: $0) }
            let db = try ImageIndex(path: index, mode: .readOnly)
            let (model, modelID) = try loadModel(for: db)
            let searcher = try ImageSearcher(index: db, model: model, modelID: modelID)
            let hits = try queryImage.map { searcher.search(image: $0, k: top) } ?? searcher.search(text: query!, k: top)
            if let sheet {
                let q: ContactSheet.Query = queryImage.map { .image($0, name: image!) } ?? .text(query!)
                try ImageWriter.write(ContactSheet().render(query: q, hits: hits), to: sheet)
            }
            if json {
                let enc = JSONEncoder()
                enc.outputFormatting = [.withoutEscapingSlashes]
                try writeOutput(enc.encode(hits) + Data("\n".utf8), to: "-")
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
        let options = try ModelOptions.fromIndexSource(source)
        let model = try options.load()
        return (model, try options.indexIdentity(of: model, defaultModel: "shapes-tiny").id)
    }
}

/// `clipdetect bench-search`: time top-k queries over a large embedding matrix.
struct SearchBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-search",
        abstract: "Time top-k search over N stored embeddings (random unit vectors, or a real --index).",
        shouldDisplay: false)

    @Option(help: "Number of random embeddings.")
    var count = 100_000

    @Option(help: "Embedding dimension of the random embeddings.")
    var dimension = 512

    @Option(help: "Results per query.")
    var k = 10

    @Option(help: "Timed queries (after one warm-up).")
    var queries = 50

    @Option(help: "Benchmark the embeddings of this index instead (its only model, or --model-id).")
    var index: String?

    @Option(name: .customLong("model-id"), help: "With --index: which model's embeddings.")
    var modelID: String?

    @Flag(help: "Print one JSON object.")
    var json = false

    struct Report: Encodable {
        var rows: Int
        var dimension: Int
        var k: Int
        var queries: Int
        var load_s: Double
        var median_ms: Double
        var p95_ms: Double
        var min_ms: Double
        var threads: Int
    }

    func run() throws {
        try reportingErrors {
            guard count >= 1, dimension >= 1, k >= 1, queries >= 1 else { throw CLIPError("--count, --dimension, --k and --queries must be ≥ 1") }
            var rng: UInt64 = 0x5EED
            func gaussianish() -> Float {
                rng = rng &* 6364136223846793005 &+ 1442695040888963407
                return Float(Int64(bitPattern: rng) >> 11) / Float(1 << 52)
            }
            let t0 = DispatchTime.now().uptimeNanoseconds
            let matrix: EmbeddingMatrix
            if let index {
                let db = try ImageIndex(path: index, mode: .readOnly)
                let stored = try db.models().filter { $0.imageCount > 0 }
                guard let id = modelID ?? (stored.count == 1 ? stored[0].id : nil) else {
                    throw CLIPError("\(index): give --model-id, one of \(stored.map { "\"\($0.id)\"" }.joined(separator: ", "))")
                }
                matrix = try db.embeddings(modelID: id)
            } else {
                let n = count * dimension
                var values = [Float](repeating: 0, count: n)
                for i in 0..<n { values[i] = gaussianish() }
                matrix = EmbeddingMatrix(paths: (0..<count).map { "image\($0).jpg" }, dimension: dimension, unnormalized: values)
            }
            let loadSeconds = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
            let qs = (0...queries).map { _ in (0..<matrix.dimension).map { _ in gaussianish() } }
            _ = matrix.search(qs[0], k: k)
            var times: [Double] = []
            for q in qs.dropFirst() {
                let s = DispatchTime.now().uptimeNanoseconds
                _ = matrix.search(q, k: k)
                times.append(Double(DispatchTime.now().uptimeNanoseconds - s) * 1e-6)
            }
            times.sort()
            let report = Report(rows: matrix.count, dimension: matrix.dimension, k: k, queries: queries, load_s: loadSeconds,
                                median_ms: times[times.count / 2], p95_ms: times[min(times.count - 1, Int(Double(times.count) * 0.95))],
                                min_ms: times[0], threads: ProcessInfo.processInfo.activeProcessorCount)
            if json {
                let enc = JSONEncoder()
                enc.outputFormatting = [.sortedKeys]
                try writeOutput(enc.encode(report) + Data("\n".utf8), to: "-")
            } else {
                print("top-\(k) over \(report.rows) × \(report.dimension) embeddings (\(index.map { "from \($0), " } ?? "random, ")loaded in \(String(format: "%.2f", loadSeconds)) s):")
                print(String(format: "  median %.2f ms, p95 %.2f ms, min %.2f ms over %d queries", report.median_ms, report.p95_ms, report.min_ms, queries))
            }
        }
    }
}
