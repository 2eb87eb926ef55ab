import Foundation
import XCTest
@testable import CLIP

/// Paths in the source tree (fixtures are read in place so that their symlinks to the shipped
/// vocabulary in models/ keep working).
enum SourceTree {
    static let testsDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let fixtures = testsDir.appendingPathComponent("Fixtures")
    static let root = testsDir.deletingLastPathComponent().deletingLastPathComponent()
    static let vocabulary = root.appendingPathComponent("models/clip-vocab")
    static let modelFixtures = ["tiny-quickgelu-f32", "tiny-gelu-f16", "tiny-short-bf16"]

    static func model(_ name: String) -> URL { fixtures.appendingPathComponent("models/\(name)") }
}

/// A fresh temporary folder, removed at the end of the test.
func temporaryFolder(_ test: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("clipdetect-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

/// Copies a fixture model folder (resolving symlinks) so a test can damage it.
func copyOfFixtureModel(_ name: String, _ test: XCTestCase) throws -> URL {
    let dst = try temporaryFolder(test).appendingPathComponent(name)
    try FileManager.default.createDirectory(at: dst, withIntermediateDirectories: true)
    for file in ["config.json", "model.safetensors", "vocab.json", "merges.txt"] {
        let src = SourceTree.model(name).appendingPathComponent(file).resolvingSymlinksInPath()
        try FileManager.default.copyItem(at: src, to: dst.appendingPathComponent(file))
    }
    return dst
}

/// Asserts `body` throws an error whose message contains every one of `fragments`.
func assertThrowsMessage(_ fragments: [String], file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) {
    do {
        try body()
        XCTFail("expected an error mentioning \(fragments)", file: file, line: line)
    } catch {
        let msg = "\(error)"
        XCTAssertFalse(msg.contains("\n"), "error must be one line: \(msg)", file: file, line: line)
        for f in fragments {
            XCTAssertTrue(msg.contains(f), "error \"\(msg)\" should mention \"\(f)\"", file: file, line: line)
        }
    }
}

struct EmbeddingComparison {
    var cosine: Double
    var maxAbsErrorOverNorm: Double

    init(_ got: [Float], _ want: [Double]) {
        precondition(got.count == want.count)
        var dot = 0.0, ng = 0.0, nw = 0.0, maxErr = 0.0
        for i in 0..<got.count {
            let g = Double(got[i]), w = want[i]
            dot += g * w; ng += g * g; nw += w * w
            maxErr = max(maxErr, abs(g - w))
        }
        cosine = dot / (ng * nw).squareRoot()
        maxAbsErrorOverNorm = maxErr / nw.squareRoot()
    }
}
