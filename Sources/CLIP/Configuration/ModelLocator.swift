import Foundation

/// Turns what a user types after `--model` into a model folder.
///
/// Accepted: a path to a folder, or the name of a model shipped in the project's `models/`
/// folder (e.g. `shapes-tiny`). Shipped models are looked for, in order, in `$CLIPDETECT_MODELS`,
/// in `models/` beside or above the running executable (a SwiftPM build lives in
/// `.build/<config>/`), and in `./models`.
public enum ModelLocator {
    /// Folders searched for shipped model names, in order.
    public static var searchFolders: [URL] {
        var folders: [URL] = []
        if let env = ProcessInfo.processInfo.environment["CLIPDETECT_MODELS"], !env.isEmpty {
            folders.append(URL(fileURLWithPath: env))
        }
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            folders.append(dir.appendingPathComponent("models"))
            dir = dir.deletingLastPathComponent()
        }
        folders.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("models"))
        return folders
    }

    /// Resolves `nameOrPath` to an existing folder, or throws a `CLIPError` saying what was tried.
    public static func resolve(_ nameOrPath: String) throws -> URL {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: nameOrPath, isDirectory: &isDir) {
            guard isDir.boolValue else {
                throw CLIPError("\(nameOrPath): is a file, but a model is a folder (config.json, model.safetensors, vocab.json, merges.txt)")
            }
            return URL(fileURLWithPath: nameOrPath)
        }
        if !nameOrPath.contains("/") {
            for folder in searchFolders {
                let candidate = folder.appendingPathComponent(nameOrPath)
                if fm.fileExists(atPath: candidate.appendingPathComponent("config.json").path) {
                    return candidate
                }
            }
        }
        throw CLIPError("\(nameOrPath): model folder not found (give a folder with config.json and model.safetensors, or a shipped model name from models/)")
    }

    /// The shipped OpenAI CLIP vocabulary (`models/clip-vocab`), used for random-weight presets.
    public static func shippedVocabulary() throws -> URL {
        try resolveShipped("clip-vocab", marker: "vocab.json")
    }

    static func resolveShipped(_ name: String, marker: String) throws -> URL {
        for folder in searchFolders {
            let candidate = folder.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent(marker).path) {
                return candidate
            }
        }
        throw CLIPError("models/\(name)/\(marker): not found (searched \(searchFolders.map(\.path).joined(separator: ", ")); set CLIPDETECT_MODELS to the project's models folder)")
    }
}
