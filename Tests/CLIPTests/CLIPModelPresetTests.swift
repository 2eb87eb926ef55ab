import Foundation
import TestSupport
import XCTest
@testable import CLIP

/// `CLIPModel(preset:seed:)`: released architectures with seeded random weights.
final class CLIPModelPresetTests: XCTestCase {
    func testPresetNamesCoverBothFamilies() {
        XCTAssertEqual(CLIPModel.presetNames, ["vit-b-32", "vit-b-16", "vit-l-14", "chinese-clip-vit-b-16"])
    }

    func testCLIPPresetHasTheReleasedConfigAndIsReproducibleFromItsSeed() throws {
        let model = try CLIPModel(preset: "ViT-B-16", seed: 7)
        XCTAssertEqual(model.config, CLIPConfig.vitB16())
        XCTAssertNil(model.chineseCLIPConfig)
        XCTAssertEqual(model.name, "random-ViT-B-16")
        let ids = model.tokenize("a photo of a cat").ids
        let again = try CLIPModel(preset: "vit-b-16", seed: 7)
        let other = try CLIPModel(preset: "vit-b-16", seed: 8)
        XCTAssertEqual(try model.textFeatures(ids: [ids]), try again.textFeatures(ids: [ids]))
        XCTAssertNotEqual(try model.textFeatures(ids: [ids]), try other.textFeatures(ids: [ids]))
    }

    func testUnknownPresetIsOneLineListingTheNamesWithoutCLIFlags() {
        XCTAssertThrowsError(try CLIPModel(preset: "vit-h-14", seed: 0)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("vit-h-14: unknown preset"), message)
            for name in CLIPModel.presetNames { XCTAssertTrue(message.contains(name), message) }
            XCTAssertFalse(message.contains("--"), message)
            XCTAssertFalse(message.contains("\n"), message)
        }
    }
}
