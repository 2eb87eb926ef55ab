import ArgumentParser
import CLIP
import Foundation
import Search

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

    func validate() throws {
        for (flag, value) in [("--count", count), ("--dimension", dimension), ("--k", k), ("--queries", queries)] {
            try ArgumentChecks.require(flag, value, atLeast: 1)
        }
    }

    func run() throws {
        try reportingErrors {
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
                try writeJSON(report)
            } else {
                print("top-\(k) over \(report.rows) × \(report.dimension) embeddings (\(index.map { "from \($0), " } ?? "random, ")loaded in \(String(format: "%.2f", loadSeconds)) s):")
                print(String(format: "  median %.2f ms, p95 %.2f ms, min %.2f ms over %d queries", report.median_ms, report.p95_ms, report.min_ms, queries))
            }
        }
    }
}
