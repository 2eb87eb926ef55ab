import Foundation
import TestSupport
import XCTest

/// Runs the `clipdetect` binary built next to the test bundle.
struct CLIRun {
    var status: Int32
    var stdout: String
    var stderr: String
    var stdoutData: Data
}

enum CLI {
    static let packageRoot = TestFixtures.packageRoot

    static var binary: URL {
        // The test bundle lives in the build products folder, next to the executable.
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("clipdetect")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/debug/clipdetect")
    }

    static func fixtureModel(_ name: String = "tiny-gelu-f16") -> String {
        TestFixtures.clipModelFolder(name).path
    }

    @discardableResult
    static func run(_ args: [String], cwd: URL? = nil, env: [String: String] = [:], stdin: Data? = nil) throws -> CLIRun {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        if let cwd { p.currentDirectoryURL = cwd }
        var environment = ProcessInfo.processInfo.environment
        environment["CLIPDETECT_MODELS"] = packageRoot.appendingPathComponent("models").path
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let input = Pipe()
        if stdin != nil { p.standardInput = input }
        try p.run()
        if let stdin {
            input.fileHandleForWriting.write(stdin)
            try input.fileHandleForWriting.close()
        }
        // Read both pipes concurrently so a chatty child never blocks on a full pipe.
        final class Box: @unchecked Sendable { var data = Data() }
        let errBox = Box()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errBox.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        let errData = errBox.data
        p.waitUntilExit()
        return CLIRun(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self), stdoutData: outData)
    }
}

/// Asserts a failed run: non-zero exit, exactly one `error: …` line on stderr containing `fragments`.
func assertCleanFailure(_ r: CLIRun, mentions fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertNotEqual(r.status, 0, "expected failure, stderr: \(r.stderr)", file: file, line: line)
    let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: true)
    XCTAssertEqual(lines.count, 1, "expected one error line, got: \(r.stderr)", file: file, line: line)
    XCTAssertTrue(r.stderr.hasPrefix("error: "), "stderr: \(r.stderr)", file: file, line: line)
    for f in fragments {
        XCTAssertTrue(r.stderr.contains(f), "stderr \"\(r.stderr)\" should mention \"\(f)\"", file: file, line: line)
    }
}
