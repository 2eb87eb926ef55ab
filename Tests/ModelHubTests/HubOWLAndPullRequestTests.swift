import CLIP
import Foundation
@testable import ModelHub
import TestSupport
import XCTest

/// OWL-ViT / OWLv2 repositories as the google/ repos lay them out (config, safetensors, BPE
/// vocabulary, `preprocessor_config.json`) through the loopback hub, and the hint that names
/// the hub's safetensors pull request (`refs/pr/N`) for a repository with only a pickle on main.
final class HubOWLAndPullRequestTests: HubTestCase {
    private static let owlFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("CLIPTests/Fixtures/owl")

    /// The file set of an OWL repository on the hub, read from a committed random-weight fixture.
    private func owlFiles(_ fixture: String) throws -> [String: LoopbackHub.File] {
        let folder = Self.owlFixtures.appendingPathComponent(fixture)
        var files: [String: LoopbackHub.File] = [:]
        for name in ["config.json", "vocab.json", "merges.txt", "preprocessor_config.json"] {
            files[name] = LoopbackHub.File(data: try Data(contentsOf: folder.appendingPathComponent(name)), lfs: false)
        }
        files["model.safetensors"] = LoopbackHub.File(data: try Data(contentsOf: folder.appendingPathComponent("model.safetensors")), lfs: true)
        return files
    }

    func testOWLViTAndOWLv2RepositoriesDownloadAndDetectAsTheLocalFolders() throws {
        let image = RGBImage(width: 37, height: 29, pixels: (0..<(37 * 29 * 3)).map { UInt8(($0 * 7) % 251) })
        for (fixture, repo) in [("owlvit-p16-f32", "google/owlvit-test-patch16"), ("owlv2-p10-f32", "google/owlv2-test-patch10")] {
            server.publish(repo, commit: TinyModel.commit, files: try owlFiles(fixture))
            let folder = try makeHub().modelFolder(for: HubModelID(repo: repo))
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("preprocessor_config.json").path), repo)

            let downloaded = try OWLModel(folder: folder)
            let local = try OWLModel(folder: Self.owlFixtures.appendingPathComponent(fixture))
            XCTAssertEqual(downloaded.family, local.family, repo)
            let q = try downloaded.textQueries(["a red star", "a blue circle"])
            XCTAssertEqual(q, try local.textQueries(["a red star", "a blue circle"]), repo)
            XCTAssertEqual(downloaded.detect(image, queries: q), local.detect(image, queries: q), repo)
        }
    }

    /// As on the hub: `main` has only `pytorch_model.bin`; the conversion bot's pull request
    /// `refs/pr/N` has `model.safetensors`. The listing is paged, newest first.
    private func publishPickleOnlyRepoWithConversionPR(_ repo: String, pr: Int) throws {
        var pickled = try TinyModel.files()
        pickled["pytorch_model.bin"] = pickled.removeValue(forKey: "model.safetensors")
        server.publish(repo, commit: TinyModel.commit, files: pickled)
        server.publish(repo, commit: "3333333333333333333333333333333333333333", files: try TinyModel.files(), branch: "refs/pr/\(pr)")
        server.discussionsPageSize = 2
        server.addDiscussion(repo, .init(num: 1, title: "Add model card", isPullRequest: true, status: "merged"))
        server.addDiscussion(repo, .init(num: pr, title: "Adding `safetensors` variant of this model", isPullRequest: true, status: "open"))
        server.addDiscussion(repo, .init(num: pr + 1, title: "safetensors?", isPullRequest: false, status: "open"))
        server.addDiscussion(repo, .init(num: pr + 2, title: "Fix typo", isPullRequest: true, status: "open"))
    }

    func testPickleOnlyRepositoryNamesTheSafetensorsPullRequestThatWorks() throws {
        try publishPickleOnlyRepoWithConversionPR("google/old-owl", pr: 2)
        assertHubError(.pytorchOnly, mentions: ["pytorch_model.bin", "refs/pr/2", "google/old-owl@refs/pr/2", "models/convert_to_safetensors.py"]) {
            _ = try makeHub().modelFolder(for: HubModelID(repo: "google/old-owl"))
        }
        XCTAssertEqual(server.requests(matching: "/cdn/").count, 0, "nothing big is downloaded before the problem is known")
        XCTAssertEqual(server.requests(matching: "/discussions").count, 2, "the candidate is on the second page")

        // The named revision is a model folder that loads.
        let folder = try makeHub().modelFolder(for: HubModelID(parsing: "google/old-owl@refs/pr/2"))
        XCTAssertEqual(try CLIPModel(folder: folder).encodeTexts(["a red square"]),
                       try CLIPModel(folder: TinyModel.folder).encodeTexts(["a red square"]))
    }

    func testPullRequestWithoutSafetensorsIsNotNamed() throws {
        try publishPickleOnlyRepoWithConversionPR("google/old-owl", pr: 2)
        var pickled = try TinyModel.files()
        pickled["pytorch_model.bin"] = pickled.removeValue(forKey: "model.safetensors")
        server.publish("google/old-owl", commit: "3333333333333333333333333333333333333333", files: pickled, branch: "refs/pr/2")
        do {
            _ = try makeHub().modelFolder(for: HubModelID(repo: "google/old-owl"))
            XCTFail("a pickle-only repository must not load")
        } catch let error as HubError {
            XCTAssertEqual(error.kind, .pytorchOnly)
            XCTAssertTrue(error.message.contains("models/convert_to_safetensors.py"), error.message)
            XCTAssertFalse(error.message.contains("refs/pr"), "a pull request without model.safetensors is not named: \(error.message)")
        }
    }

    func testDiscussionsPageParsing() throws {
        let page = try ConversionPullRequests.parse(discussionsPage: Data(#"""
        {"discussions": [
          {"num": 9, "title": "Adding `safetensors` variant of this model", "isPullRequest": true, "status": "open"},
          {"num": 8, "title": "Adding `safetensors` variant of this model", "isPullRequest": true, "status": "closed"},
          {"num": 7, "title": "safetensors please", "isPullRequest": false, "status": "open"},
          {"num": 6, "title": "Upload model.safetensors", "isPullRequest": true, "status": "open"}],
         "count": 10, "start": 0}
        """#.utf8))
        XCTAssertEqual(page, .init(candidates: [9, 6], hasMore: true))
        XCTAssertEqual(try ConversionPullRequests.parse(discussionsPage: Data(#"{"discussions": [], "count": 3, "start": 50}"#.utf8)).hasMore, false)
        // A hostile start + page size past Int.max (trapped before): no further page.
        let huge = #"{"discussions": [{"num": 1}], "count": 9223372036854775807, "start": 9223372036854775807}"#
        XCTAssertEqual(try ConversionPullRequests.parse(discussionsPage: Data(huge.utf8)).hasMore, false)
        for bad in ["", "[]", #"{"discussions": [{"title": "x"}]}"#, "\u{0}\u{1}"] {
            XCTAssertThrowsError(try ConversionPullRequests.parse(discussionsPage: Data(bad.utf8))) { error in
                XCTAssertEqual((error as? HubError)?.kind, .badResponse, bad)
            }
        }
    }
}
