import ArgumentParser
import CLIP
import Foundation
import Search

struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Embed every image under a folder (recursively) into a SQLite index for `clipdetect search`.",
        discussion: """
            Incremental: unchanged files (same size and modification time) are skipped, changed ones re-encoded, rows of deleted files dropped. Unreadable files are listed and skipped. Embeddings of different models are kept side by side.

            Example: clipdetect index photos/ --index photos.sqlite --model openai/clip-vit-base-patch32
            """)

    @Argument(help: "Folder of images.")
    var folder: String

    @Option(help: "The index file (created when missing).")
    var index: String

    @Option(name: .customLong("batch-size"), help: "Images decoded, encoded and committed together.")
    var batchSize = 32

    @Flag(help: "Print a JSON summary {found, added, modified, unchanged, removed, failed, seconds, images_per_s, model} on stdout.")
    var json = false

    @OptionGroup var modelOptions: ModelOptions

    struct Summary: Encodable {
        var model: String
        var found, added, modified, unchanged, removed, failed: Int
        var seconds: Double
        var images_per_s: Double
    }

    func run() throws {
        try reportingErrors {
            guard batchSize >= 1 else { throw CLIPError("--batch-size \(batchSize): must be ≥ 1") }
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir) else { throw CLIPError("\(folder): no such folder") }
            guard isDir.boolValue else { throw CLIPError("\(folder): not a folder; index takes a folder of images") }
            try OutputPlan.checkWritable(file: index)
            let model = try modelOptions.load(defaultModel: "shapes-tiny")
            let identity = try modelOptions.indexIdentity(of: model, defaultModel: "shapes-tiny")
            let db = try ImageIndex(path: index, mode: .create)
            let showProgress = stderrIsTerminal
            var lastDraw = 0.0
            let report = try db.update(folder: folder, model: model,
                                       options: IndexOptions(batchSize: batchSize, modelID: identity.id, modelSource: identity.source)) { p in
                guard showProgress, p.total > 0, p.done == p.total || p.elapsedSeconds - lastDraw >= 0.2 || p.done == 0 else { return }
                lastDraw = p.elapsedSeconds
                FileHandle.standardError.write(Data("\r\(p.line())\u{1B}[K\(p.done == p.total ? "\n" : "")".utf8))
            }
            for f in report.failures { printError("warning: skipped \(f.path): \(f.reason)") }
            for f in report.knownFailures { printError("warning: skipped \(f.path) (unchanged since it failed: \(f.reason))") }
            let failed = report.failures.count + report.knownFailures.count
            if json {
                let s = Summary(model: report.modelID, found: report.found, added: report.added, modified: report.modified,
                                unchanged: report.unchanged, removed: report.removed.count, failed: failed,
                                seconds: report.seconds, images_per_s: report.imagesPerSecond)
                let enc = JSONEncoder()
                enc.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
                try writeOutput(enc.encode(s) + Data("\n".utf8), to: "-")
            } else {
                print("\(index): \(report.found) images under \(folder) with \(model.name): \(report.added) added, \(report.modified) re-encoded, "
                      + "\(report.unchanged) unchanged, \(report.removed.count) removed, \(failed) unreadable")
                if report.added + report.modified > 0 {
                    print(String(format: "%d images processed in %.1f s (%.2f images/s)", report.added + report.modified, report.seconds, report.imagesPerSecond))
                }
            }
        }
    }
}

extension ModelOptions {
    /// The id embeddings are stored under and where the model came from (so `search` can
    /// reload it). Random-weight presets add their seed to the id, as the seed changes the
    /// weights but not the name.
    func indexIdentity(of model: CLIPModel, defaultModel: String) throws -> (id: String, source: String) {
        if let config {
            return (ModelIdentity.id(of: model) + " seed=\(seed)", "config:\(config):\(seed)")
        }
        return (ModelIdentity.id(of: model), try resolveModelFolder(self.model ?? defaultModel).path)
    }

    /// Options that reload the model recorded as `source` by `indexIdentity`.
    static func fromIndexSource(_ source: String) throws -> ModelOptions {
        let parts = source.split(separator: ":", maxSplits: 2).map(String.init)
        if parts.count == 3, parts[0] == "config" {
            return try ModelOptions.parse(["--config", parts[1], "--seed", parts[2]])
        }
        return try ModelOptions.parse(["--model", source])
    }
}
