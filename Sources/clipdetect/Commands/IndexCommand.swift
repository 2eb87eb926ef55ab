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
    var folder: String?

    @Option(name: .customLong("import"), help: "Instead of a folder: import the Parquet shards written by tools/ray/clipdetect_ray.py index --output FOLDER.")
    var importFolder: String?

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

    func validate() throws {
        try ArgumentChecks.require("--batch-size", batchSize, atLeast: 1)
        guard (folder == nil) != (importFolder == nil) else {
            throw ValidationError(folder == nil ? "no folder: give a folder of images (clipdetect index photos/ --index FILE) or --import SHARDS"
                                                : "give either a folder or --import, not both")
        }
    }

    func run() throws {
        if let importFolder { return try runImport(importFolder) }
        guard let folder else { return }
        try reportingErrors {
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
                                       options: IndexOptions(batchSize: batchSize, modelID: identity.id, modelSource: identity.source.recorded)) { p in
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
                try writeJSON(s)
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
