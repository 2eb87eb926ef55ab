import ArgumentParser
import CLIP
import Foundation
import Imaging

@main
struct ClipDetect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clipdetect",
        abstract: "Open-vocabulary object detection and everyday CLIP jobs, in one native binary.",
        subcommands: [Detect.self, Embed.self, Bench.self, Eval.self, Classify.self, IndexCommand.self, SearchCommand.self, SimilarityCommand.self, SearchBench.self, Models.self],
        defaultSubcommand: Detect.self)

    static func main() {
        BLASRuntime.restartWithFasterKernelsIfNeeded()
        main(nil)
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

/// Writes `data` to `path` atomically (temp file + rename), or to stdout for `-`.
func writeOutput(_ data: Data, to path: String) throws {
    if path == "-" {
        FileHandle.standardOutput.write(data)
        return
    }
    do {
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
        throw CLIPError("\(path): cannot write (\(error.localizedDescription))")
    }
}
