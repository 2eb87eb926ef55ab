import CLIP
import Foundation
import XCTest

/// Paths in the source tree, shared by every test target. Fixtures are read in place so that
/// their symlinks to the shipped vocabularies in `models/` keep working.
///
/// ```swift
/// let model = try TestFixtures.clipModel("tiny-gelu-f16")   // a small random CLIP
/// let folder = try temporaryFolder(self)                  // removed after the test
/// ```
public enum TestFixtures {
    /// The package root (the folder holding Package.swift).
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    /// `Tests/CLIPTests/Fixtures`: the parity fixtures (models, tokenizer, preprocessing, …).
    public static let clipFixtures = packageRoot.appendingPathComponent("Tests/CLIPTests/Fixtures")
    /// The shipped OpenAI BPE vocabulary.
    public static let clipVocabulary = packageRoot.appendingPathComponent("models/clip-vocab")
    /// The random-weight CLIP parity models committed under `Tests/CLIPTests/Fixtures/models`.
    public static let clipModelNames = ["tiny-quickgelu-f32", "tiny-gelu-f16", "tiny-short-bf16"]

    /// The folder of a committed fixture model (`Tests/CLIPTests/Fixtures/models/NAME`).
    public static func clipModelFolder(_ name: String = "tiny-gelu-f16") -> URL {
        clipFixtures.appendingPathComponent("models/\(name)")
    }

    /// How much longer than usual the tests' own deadlines (client timeouts, the test server's
    /// shutdown grace period) may be: `CLIPDETECT_TEST_TIME_SCALE` (default 1). Sanitizer runs
    /// set it (TSan makes a detection ~20× slower); a hung test then still fails, later.
    public static let timeScale: Double = {
        guard let text = ProcessInfo.processInfo.environment["CLIPDETECT_TEST_TIME_SCALE"] else { return 1 }
        guard let value = Double(text), value >= 1, value.isFinite else {
            fatalError("CLIPDETECT_TEST_TIME_SCALE must be a number >= 1, not \"\(text)\"")
        }
        return value
    }()

    /// Loads a committed fixture model with its warnings silenced.
    public static func clipModel(_ name: String = "tiny-gelu-f16") throws -> CLIPModel {
        let model = try CLIPModel(folder: clipModelFolder(name))
        model.onWarning = { _ in }
        return model
    }
}

/// A fresh temporary folder, removed at the end of the test.
public func temporaryFolder(_ test: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("clipdetect-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

/// Asserts `body` throws an error whose message is one line containing every one of `fragments`.
public func assertThrowsMessage(_ fragments: [String], file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) {
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

/// How close an embedding is to a reference: cosine and the largest error over the reference's norm.
public struct EmbeddingComparison {
    public var cosine: Double
    public var maxAbsErrorOverNorm: Double

    public init(_ got: [Float], _ want: [Double]) {
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

/// Rewrites a model folder's `model.safetensors` through `edit` (name, shape, values) as F32,
/// so a loading test can remove, add or reshape a tensor.
public func rewriteWeights(_ folder: URL, _ edit: (inout [(name: String, shape: [Int], values: [Float])]) -> Void) throws {
    let url = folder.appendingPathComponent("model.safetensors")
    let file = try SafetensorsFile(url: url)
    var tensors: [(name: String, shape: [Int], values: [Float])] = []
    for name in file.tensorNames {
        guard let info = file.info(name) else { continue }
        tensors.append((name: name, shape: info.shape, values: try file.floats(name)))
    }
    edit(&tensors)
    try SafetensorsWriter.write(tensors, dtype: .F32, to: url)
}
