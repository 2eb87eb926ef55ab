import CLIP
import Foundation
@testable import ModelHub
import TestSupport
import XCTest

/// Downloads from the loopback hub into an empty cache, and the cache's behaviour afterwards.
final class HubDownloadTests: HubTestCase {
    private var id: HubModelID { HubModelID(repo: TinyModel.repo) }

    func testFreshDownloadFillsTheStandardCacheLayoutAndTheModelLoads() throws {
        let folder = try makeHub().modelFolder(for: id)

        XCTAssertEqual(folder.path, repoFolder.appendingPathComponent("snapshots/\(TinyModel.commit)").path)
        XCTAssertEqual(try String(contentsOf: repoFolder.appendingPathComponent("refs/main"), encoding: .utf8), TinyModel.commit)
        let sha = try TinyModel.weightsSHA256()
        let link = try FileManager.default.destinationOfSymbolicLink(atPath: folder.appendingPathComponent("model.safetensors").path)
        XCTAssertEqual(link, "../../blobs/\(sha)", "snapshot files are relative links to blobs named by sha256")
        XCTAssertEqual(try Data(contentsOf: folder.appendingPathComponent("model.safetensors")), try TinyModel.weights())
        for name in ["config.json", "vocab.json", "merges.txt", "special_tokens_map.json"] {
            let target = try FileManager.default.destinationOfSymbolicLink(atPath: folder.appendingPathComponent(name).path)
            XCTAssertTrue(target.hasPrefix("../../blobs/"), name)
        }
        // Absent optional files are remembered the way huggingface_hub remembers them.
        XCTAssertTrue(FileManager.default.fileExists(atPath: repoFolder.appendingPathComponent(".no_exist/\(TinyModel.commit)/tokenizer.json").path))
        XCTAssertFalse(filesInCache().contains { $0.hasSuffix(".incomplete") })

        let model = try CLIPModel(folder: folder)
        let reference = try CLIPModel(folder: TinyModel.folder)
        XCTAssertEqual(try model.encodeTexts(["a red square"]), try reference.encodeTexts(["a red square"]))
    }

    func testSecondRunUsesTheCacheWithoutAnyRequest() throws {
        let first = try makeHub().modelFolder(for: id)
        server.resetLog()
        let second = try makeHub().modelFolder(for: id)
        XCTAssertEqual(first, second)
        XCTAssertEqual(server.requests.count, 0, "requests: \(server.requests.map(\.path))")
    }

    func testTransferCutHalfwayIsResumedWithARangeRequest() throws {
        let weights = try TinyModel.weights()
        let sha = try TinyModel.weightsSHA256()
        server.cutNextTransfer(sha256: sha)

        let folder = try makeHub().modelFolder(for: id)

        let gets = server.requests(matching: "/cdn/\(sha)").filter { $0.method == "GET" }
        XCTAssertEqual(gets.count, 2, "one cut transfer, one resumed")
        XCTAssertNil(gets[0].headers["range"])
        XCTAssertEqual(gets[1].headers["range"], "bytes=\(weights.count / 2)-")
        XCTAssertEqual(try Data(contentsOf: folder.appendingPathComponent("model.safetensors")), weights)
    }

    func testPartialFileLeftByAnEarlierRunIsResumed() throws {
        let weights = try TinyModel.weights()
        let sha = try TinyModel.weightsSHA256()
        let partial = repoFolder.appendingPathComponent("blobs/\(sha).incomplete")
        try FileManager.default.createDirectory(at: partial.deletingLastPathComponent(), withIntermediateDirectories: true)
        try weights.prefix(300_000).write(to: partial)

        let folder = try makeHub().modelFolder(for: id)

        let gets = server.requests(matching: "/cdn/\(sha)").filter { $0.method == "GET" }
        XCTAssertEqual(gets.map { $0.headers["range"] }, ["bytes=300000-"], "requests: \(server.requests.map { "\($0.method) \($0.path) \($0.headers["range"] ?? "")" })")
        XCTAssertEqual(try Data(contentsOf: folder.appendingPathComponent("model.safetensors")), weights)
        XCTAssertFalse(FileManager.default.fileExists(atPath: partial.path))
    }

    func testChecksumMismatchIsRejectedAndLeavesNothingInTheSnapshot() throws {
        var tampered = try TinyModel.weights()
        tampered[tampered.count / 2] ^= 0xFF
        let sha = try TinyModel.weightsSHA256()
        server.serve(tampered, forSHA256: sha)

        assertHubError(.checksumMismatch, mentions: ["model.safetensors", "sha256", sha]) {
            _ = try makeHub().modelFolder(for: id)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: repoFolder.appendingPathComponent("snapshots/\(TinyModel.commit)/model.safetensors").path))
        XCTAssertEqual(filesInCache().filter { $0.hasPrefix("blobs/\(sha)") }, [], "no blob and no partial file may survive")
        XCTAssertNil(makeHub().cachedSnapshot(for: id))
    }

    func testOfflineModeWithoutACachedModelFailsWithoutAnyRequest() {
        assertHubError(.offline, mentions: ["HF_HUB_OFFLINE", TinyModel.repo, cacheFolder.path]) {
            _ = try makeHub(offline: true).modelFolder(for: id)
        }
        XCTAssertEqual(server.requests.count, 0)
    }

    func testOfflineModeUsesAFilledCache() throws {
        let online = try makeHub().modelFolder(for: id)
        server.resetLog()
        XCTAssertEqual(try makeHub(offline: true).modelFolder(for: id), online)
        XCTAssertEqual(server.requests.count, 0)
    }

    func testUnknownRepositoryGivesOneLine404Error() {
        assertHubError(.notFound, mentions: ["test-org/nope", "repository not found", "404"]) {
            _ = try makeHub().modelFolder(for: HubModelID(repo: "test-org/nope"))
        }
    }

    func testUnknownRevisionIsNamed() {
        assertHubError(.notFound, mentions: ["revision 'v9' not found"]) {
            _ = try makeHub().modelFolder(for: HubModelID(repo: TinyModel.repo, revision: "v9"))
        }
    }

    func testPrivateRepositoryNeedsTheTokenWhichNeverLeavesTheHub() throws {
        server.requireToken("hf_secret")
        assertHubError(.unauthorized, mentions: ["401", "HF_TOKEN"]) {
            _ = try makeHub().modelFolder(for: id)
        }
        assertHubError(.unauthorized, mentions: ["401", "HF_TOKEN was sent"]) {
            _ = try makeHub(token: "hf_wrong").modelFolder(for: id)
        }
        server.resetLog()
        _ = try makeHub(token: "hf_secret").modelFolder(for: id)
        let hubRequests = server.requests(matching: "/resolve/")
        XCTAssertFalse(hubRequests.isEmpty)
        XCTAssertTrue(hubRequests.allSatisfy { $0.headers["authorization"] == "Bearer hf_secret" })
        let cdnRequests = server.requests(matching: "/cdn/")
        XCTAssertFalse(cdnRequests.isEmpty)
        XCTAssertTrue(cdnRequests.allSatisfy { $0.headers["authorization"] == nil }, "the token must not follow the redirect to another origin")
    }

    func testRevisionPinningSelectsThatSnapshot() throws {
        let tagged = "fedcba9876543210fedcba9876543210fedcba98"
        var files = try TinyModel.files()
        files["special_tokens_map.json"] = nil
        server.publish(TinyModel.repo, commit: tagged, files: files, branch: "v1.0")

        let byTag = try makeHub().modelFolder(for: HubModelID(parsing: "\(TinyModel.repo)@v1.0"))
        XCTAssertEqual(byTag.lastPathComponent, tagged)
        XCTAssertEqual(try String(contentsOf: repoFolder.appendingPathComponent("refs/v1.0"), encoding: .utf8), tagged)
        XCTAssertFalse(FileManager.default.fileExists(atPath: byTag.appendingPathComponent("special_tokens_map.json").path))

        let byCommit = try makeHub().modelFolder(for: HubModelID(parsing: "\(TinyModel.repo)@\(TinyModel.commit)"))
        XCTAssertEqual(byCommit.lastPathComponent, TinyModel.commit)
        XCTAssertFalse(FileManager.default.fileExists(atPath: repoFolder.appendingPathComponent("refs/\(TinyModel.commit)").path))
        // The big blob is shared between the two snapshots, so it was downloaded once.
        XCTAssertEqual(server.requests(matching: "/cdn/").filter { $0.method == "GET" }.count, 1)

        server.resetLog()
        XCTAssertEqual(try makeHub(offline: true).modelFolder(for: HubModelID(parsing: "\(TinyModel.repo)@v1.0")), byTag)
        XCTAssertEqual(server.requests.count, 0)
    }

    func testPytorchOnlyRepositoryPointsAtTheConversionScript() throws {
        var files = try TinyModel.files()
        files["pytorch_model.bin"] = files.removeValue(forKey: "model.safetensors")
        server.publish("test-org/old-clip", commit: TinyModel.commit, files: files)
        assertHubError(.pytorchOnly, mentions: ["pytorch_model.bin", "models/convert_to_safetensors.py"]) {
            _ = try makeHub().modelFolder(for: HubModelID(repo: "test-org/old-clip"))
        }
        XCTAssertEqual(server.requests(matching: "/cdn/").count, 0, "nothing big is downloaded before the problem is known")
    }

    func testUnreachableEndpointSaysSoAndNamesTheOfflineAlternatives() throws {
        server.stop()
        assertHubError(.network, mentions: ["cannot reach", "local model folder", "shipped model", "HF_HUB_OFFLINE=1"]) {
            _ = try makeHub().modelFolder(for: id)
        }
    }

    func testDownloadRefreshesTheRefWhenTheBranchMoves() throws {
        _ = try makeHub().modelFolder(for: id)
        let moved = "1111111111111111111111111111111111111111"
        server.publish(TinyModel.repo, commit: moved, files: try TinyModel.files())
        server.resetLog()

        XCTAssertEqual(try makeHub().modelFolder(for: id).lastPathComponent, TinyModel.commit, "cache first: no check for updates")
        XCTAssertEqual(server.requests.count, 0)
        XCTAssertEqual(try makeHub().download(id).lastPathComponent, moved)
        XCTAssertEqual(try String(contentsOf: repoFolder.appendingPathComponent("refs/main"), encoding: .utf8), moved)
        XCTAssertEqual(server.requests(matching: "/cdn/").count, 0, "unchanged blobs are linked, not downloaded again")
    }

    func testRepositoryWithoutTokenizerFilesFailsBeforeDownloadingWeights() throws {
        var files = try TinyModel.files()
        files["merges.txt"] = nil
        server.publish("test-org/no-tokenizer", commit: TinyModel.commit, files: files)
        assertHubError(.notFound, mentions: ["no tokenizer files", "vocab.json + merges.txt, or vocab.txt"]) {
            _ = try makeHub().modelFolder(for: HubModelID(repo: "test-org/no-tokenizer"))
        }
        XCTAssertEqual(server.requests(matching: "/cdn/").count, 0)
    }

    func testCacheInventoryListsSnapshotsWithSizesAndWhatTheyLack() throws {
        let folder = try makeHub().modelFolder(for: id)
        // A weights-only snapshot, as `CLIPModel.from_pretrained` alone leaves it.
        let cache = HubCache(root: cacheFolder)
        let other = "2222222222222222222222222222222222222222"
        try cache.link("test-org/weights-only", commit: other, file: "config.json", etag: "abc")
        try FileManager.default.createDirectory(at: cache.blob("test-org/weights-only", etag: "abc").deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: cache.blob("test-org/weights-only", etag: "abc"))

        let snapshots = cache.snapshots()
        XCTAssertEqual(snapshots.map(\.id), [TinyModel.repo, "test-org/weights-only@\(other)"])
        let expected = try TinyModel.files().filter { $0.key != "pytorch_model.bin" }.values.reduce(0) { $0 + Int64($1.data.count) }
        XCTAssertEqual(snapshots[0].size, expected)
        XCTAssertEqual(snapshots[0].folder, folder)
        XCTAssertEqual(snapshots[0].missingFiles, [])
        XCTAssertEqual(snapshots[1].missingFiles, ["model.safetensors", "vocab.json + merges.txt or vocab.txt"])
        XCTAssertEqual(snapshots[1].size, 2)
    }
}
