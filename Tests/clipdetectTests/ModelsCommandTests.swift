import Foundation
import TestSupport
import XCTest

final class ModelsCommandTests: XCTestCase {
    func testModelsListShowsTheShippedModel() throws {
        let home = try temporaryFolder(self)
        let r = try CLI.run(["models", "list"], env: ["HF_HOME": home.path, "HF_HUB_OFFLINE": "1"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("shapes-tiny"), r.stdout)
    }

    func testUncachedHubIdOfflineIsOneErrorLine() throws {
        let home = try temporaryFolder(self)
        let r = try CLI.run(["embed", "--model", "openai/clip-vit-base-patch32", "--text", "x"],
                            env: ["HF_HOME": home.path, "HF_HUB_OFFLINE": "1"])
        assertCleanFailure(r, mentions: ["openai/clip-vit-base-patch32"])
    }
}
