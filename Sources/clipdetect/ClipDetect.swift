import ArgumentParser
import CLIP
import Foundation
import Detection
import Imaging

@main
struct ClipDetect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clipdetect",
        abstract: "Open-vocabulary object detection and everyday CLIP jobs, in one native binary.",
        subcommands: [Detect.self, Embed.self, Bench.self, Eval.self, Classify.self, IndexCommand.self, SearchCommand.self, SimilarityCommand.self, SearchBench.self, Models.self, Serve.self, Worker.self],
        defaultSubcommand: Detect.self)

    /// Runs the command. Bad arguments (`validate()`, unknown or missing flags) print one
    /// `error: …` line and exit non-zero (64, EX_USAGE, for ArgumentParser's usage errors);
    /// `--help` and errors of the run itself as ArgumentParser does.
    static func main() {
        BLASRuntime.restartWithFasterKernelsIfNeeded()
        BLASRuntime.shortenIdleSpin()
        var command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            let code = exitCode(for: error)
            guard code != .success else { exit(withError: error) }   // --help, --version
            let text = message(for: error).split(whereSeparator: \.isNewline).joined(separator: " ")
            FileHandle.standardError.write(Data("error: \(text)\n".utf8))
            Foundation.exit(code.rawValue)
        }
        do {
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}

/// Runs `body`, turning any library error into one `error: …` line on stderr and exit status 1.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as ExitCode {
        throw e
    } catch let e as CleanExit {
        throw e
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        throw ExitCode.failure
    }
}

/// Writes `value` as JSON (the one encoding of every machine-readable output, `detectionJSON`:
/// sorted keys, unescaped slashes) and a newline to `path`, or to stdout for `-`.
func writeJSON<T: Encodable>(_ value: T, to path: String = "-") throws {
    try writeOutput(detectionJSON(value) + Data("\n".utf8), to: path)
}

/// Writes `data` to `path` atomically (temp file + rename, the temp removed on failure), or to
/// stdout for `-`.
func writeOutput(_ data: Data, to path: String) throws {
    if path == "-" {
        FileHandle.standardOutput.write(data)
        return
    }
    try AtomicFile.replace(path, with: data)
}
