import ArgumentParser
import CLIP
import Foundation
import ModelHub

/// `clipdetect models list` / `clipdetect models download ID`.
struct Models: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List shipped and cached models, or download one from the Hugging Face hub.",
        subcommands: [List.self, Download.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Shipped models (models/) and models in the Hugging Face cache, with sizes. Never uses the network.")

        func run() throws {
            try reportingErrors {
                var shipped: [(name: String, folder: URL)] = []
                var seen = Set<String>()
                for root in ModelLocator.searchFolders {
                    let entries = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
                    for name in entries.sorted() where !seen.contains(name) {
                        let folder = root.appendingPathComponent(name)
                        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("config.json").path) else { continue }
                        seen.insert(name)
                        shipped.append((name, folder))
                    }
                }
                print("shipped models:")
                if shipped.isEmpty { print("  (none found in \(ModelLocator.searchFolders.map(\.path).joined(separator: ", ")))") }
                for (name, folder) in shipped {
                    print("  \(pad(name, 44)) \(pad(formatSize(HubCache.size(ofFilesIn: folder)), 10)) \(folder.path)")
                }
                let settings = HubSettings(environment: ProcessInfo.processInfo.environment)
                let cached = HubCache(root: settings.cacheFolder).snapshots()
                print("hub cache (\(settings.cacheFolder.path)):")
                if cached.isEmpty { print("  (empty)") }
                for s in cached {
                    let status = s.missingFiles.isEmpty ? "" : "  incomplete: no \(s.missingFiles.joined(separator: ", ")) (clipdetect models download \(s.id))"
                    print("  \(pad(s.id, 44)) \(pad(formatSize(s.size), 10)) \(s.folder.path)\(status)")
                }
            }
        }
    }

    struct Download: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch ORG/NAME[@REVISION] into the Hugging Face cache (asks the hub for the revision's current commit; files already cached are not fetched again) and print the snapshot folder.")

        @Argument(help: "Hub model id, e.g. openai/clip-vit-base-patch32 or openai/clip-vit-base-patch32@main.")
        var id: String

        func run() throws {
            try reportingErrors {
                let folder = try ModelHub().download(HubModelID(parsing: id))
                print(folder.path)
            }
        }
    }
}

/// `--model` resolution: an existing folder, then a shipped model name, then a hub id
/// (`ORG/NAME[@REVISION]`) from the Hugging Face cache, downloading it if needed.
func resolveModelFolder(_ text: String) throws -> URL {
    if FileManager.default.fileExists(atPath: text) || !HubModelID.looksLikeID(text) {
        return try ModelLocator.resolve(text)
    }
    do {
        return try ModelHub().modelFolder(for: HubModelID(parsing: text))
    } catch let e as HubError where e.kind == .notFound || e.kind == .offline {
        // A mistyped relative path also looks like ORG/NAME: say that it was not found as a folder either.
        throw HubError(e.kind, e.message + " (no local folder \(text) either)")
    }
}

private func formatSize(_ bytes: Int64) -> String {
    bytes >= 1_000_000_000 ? String(format: "%.2f GB", Double(bytes) / 1e9)
        : bytes >= 1_000_000 ? String(format: "%.1f MB", Double(bytes) / 1e6)
        : String(format: "%.1f kB", Double(bytes) / 1e3)
}

private func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
}
