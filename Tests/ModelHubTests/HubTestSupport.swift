import CLIP
import Foundation
@testable import ModelHub
import TestSupport
import XCTest

/// The tiny CLIP the loopback hub serves: `Tests/CLIPTests/Fixtures/models/tiny-short-bf16`
/// read from the source tree (its vocabulary symlinks resolved), plus a small
/// `special_tokens_map.json` so one optional file exists and the others are absent.
enum TinyModel {
    static let repo = "test-org/tiny-clip"
    static let commit = "0123456789abcdef0123456789abcdef01234567"
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("CLIPTests/Fixtures/models/tiny-short-bf16")

    static func files() throws -> [String: LoopbackHub.File] { try cachedFiles.get() }

    // Built once per test process: hashing ~2 MB takes seconds in a debug build.
    private static let cachedFiles = Result { try loadFiles() }

    private static func loadFiles() throws -> [String: LoopbackHub.File] {
        var files: [String: LoopbackHub.File] = [:]
        for name in ["config.json", "vocab.json", "merges.txt"] {
            files[name] = LoopbackHub.File(data: try Data(contentsOf: folder.appendingPathComponent(name)), lfs: false)
        }
        files["model.safetensors"] = LoopbackHub.File(data: try weights(), lfs: true)
        let special = #"{"bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>", "pad_token": "<|endoftext|>", "unk_token": "<|endoftext|>"}"#
        files["special_tokens_map.json"] = LoopbackHub.File(data: Data(special.utf8), lfs: false)
        return files
    }

    static func weights() throws -> Data { try Data(contentsOf: folder.appendingPathComponent("model.safetensors")) }
    static func weightsSHA256() throws -> String { try files()["model.safetensors"]!.etag }
}

/// A loopback hub publishing the tiny model, and an empty cache folder, per test.
class HubTestCase: XCTestCase {
    var server: LoopbackHub!
    var cacheFolder: URL!

    override func setUpWithError() throws {
        server = try LoopbackHub()
        server.publish(TinyModel.repo, commit: TinyModel.commit, files: try TinyModel.files())
        cacheFolder = FileManager.default.temporaryDirectory.appendingPathComponent("hub-cache-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        server.stop()
        try? FileManager.default.removeItem(at: cacheFolder)
    }

    func makeHub(offline: Bool = false, token: String? = nil, endpoint: URL? = nil) -> ModelHub {
        var settings = HubSettings(endpoint: endpoint ?? server.endpoint, cacheFolder: cacheFolder, token: token, offline: offline)
        settings.timeout = 10
        return ModelHub(settings: settings, progress: nil)
    }

    var repoFolder: URL { HubCache(root: cacheFolder).repoFolder(TinyModel.repo) }

    /// Runs `body`, which must throw a `HubError` of `kind` whose single-line message mentions `fragments`.
    func assertHubError(_ kind: HubError.Kind, mentions fragments: [String], file: StaticString = #filePath, line: UInt = #line,
                        _ body: () throws -> Void) {
        do {
            try body()
            XCTFail("expected a \(kind) error", file: file, line: line)
        } catch let e as HubError {
            XCTAssertEqual(e.kind, kind, e.message, file: file, line: line)
            XCTAssertFalse(e.message.contains("\n"), "one line expected: \(e.message)", file: file, line: line)
            for f in fragments { XCTAssertTrue(e.message.contains(f), "\"\(e.message)\" should mention \"\(f)\"", file: file, line: line) }
        } catch {
            XCTFail("expected HubError, got \(error)", file: file, line: line)
        }
    }

    /// Every file under the repo folder, relative, for "nothing was left behind" checks.
    func filesInCache() -> [String] {
        guard let e = FileManager.default.enumerator(atPath: repoFolder.path) else { return [] }
        return (e.allObjects as? [String] ?? []).sorted()
    }
}
