import Foundation
import ModelHub
import TestSupport
import XCTest

final class HubModelIDTests: XCTestCase {
    func testIDWithoutRevisionMeansMain() throws {
        let id = try HubModelID(parsing: "openai/clip-vit-base-patch32")
        XCTAssertEqual(id.repo, "openai/clip-vit-base-patch32")
        XCTAssertEqual(id.revision, "main")
    }

    func testRevisionAfterAtIsKept() throws {
        let id = try HubModelID(parsing: "laion/CLIP-ViT-B-32-laion2B-s34B-b79K@refs/pr/3")
        XCTAssertEqual(id.repo, "laion/CLIP-ViT-B-32-laion2B-s34B-b79K")
        XCTAssertEqual(id.revision, "refs/pr/3")
        XCTAssertFalse(id.revisionIsCommit)
        XCTAssertTrue(try HubModelID(parsing: "a/b@0123456789abcdef0123456789abcdef01234567").revisionIsCommit)
    }

    func testPathsAndMalformedIDsAreNotHubIDs() {
        for text in ["model", "/abs/path", "./models/x", "a/b/c", "../x", "a/..", "org/.hidden", "org/-x", "a/b@", "a/b@../x", "a b/c", "org/"] {
            XCTAssertFalse(HubModelID.looksLikeID(text), text)
        }
    }

    func testSettingsFollowHuggingFaceHubPrecedence() {
        let home = FileManager.default.homeDirectoryForCurrentUser.path
        XCTAssertEqual(HubSettings(environment: [:]).cacheFolder.path, home + "/.cache/huggingface/hub")
        XCTAssertEqual(HubSettings(environment: ["XDG_CACHE_HOME": "/x"]).cacheFolder.path, "/x/huggingface/hub")
        XCTAssertEqual(HubSettings(environment: ["XDG_CACHE_HOME": "/x", "HF_HOME": "/h"]).cacheFolder.path, "/h/hub")
        XCTAssertEqual(HubSettings(environment: ["HF_HOME": "/h", "HF_HUB_CACHE": "/c"]).cacheFolder.path, "/c")
        XCTAssertEqual(HubSettings(environment: [:]).endpoint.absoluteString, "https://huggingface.co")
        XCTAssertEqual(HubSettings(environment: ["HF_ENDPOINT": "http://127.0.0.1:8080/"]).endpoint.absoluteString, "http://127.0.0.1:8080")
        for on in ["1", "ON", "yes", "True"] { XCTAssertTrue(HubSettings(environment: ["HF_HUB_OFFLINE": on]).offline, on) }
        for off in ["0", "", "no", "false"] { XCTAssertFalse(HubSettings(environment: ["HF_HUB_OFFLINE": off]).offline, off) }
        XCTAssertTrue(HubSettings(environment: ["TRANSFORMERS_OFFLINE": "1"]).offline)
        XCTAssertEqual(HubSettings(environment: ["HF_TOKEN": "hf_x"]).token, "hf_x")
        XCTAssertNil(HubSettings(environment: ["HF_TOKEN": ""]).token)
    }

    func testResolveURLEncodesTheRevisionAsOneSegment() {
        let s = HubSettings(cacheFolder: URL(fileURLWithPath: "/tmp"))
        XCTAssertEqual(s.resolveURL(repo: "org/name", revision: "refs/pr/1", file: "config.json").absoluteString,
                       "https://huggingface.co/org/name/resolve/refs%2Fpr%2F1/config.json")
    }
}
