import Foundation
import TestSupport
import XCTest
@testable import CLIP

/// Loading is strict: every problem with a model folder is one error line naming the file.
final class CLIPModelLoadingTests: XCTestCase {
    let fixture = "tiny-short-bf16"


    func testMissingModelFolderNamesTheFolder() {
        assertThrowsMessage(["/nonexistent/model", "not found"]) {
            _ = try CLIPModel(folder: URL(fileURLWithPath: "/nonexistent/model"))
        }
    }

    func testConfigWithoutVisionConfigIsRejected() throws {
        let folder = try copyOfFixtureModel(fixture, self)
        let cfgURL = folder.appendingPathComponent("config.json")
        var cfg = try JSONSerialization.jsonObject(with: Data(contentsOf: cfgURL)) as! [String: Any]
        cfg.removeValue(forKey: "vision_config")
        try JSONSerialization.data(withJSONObject: cfg).write(to: cfgURL)
        assertThrowsMessage(["config.json", "vision_config"]) { _ = try CLIPModel(folder: folder) }
    }

    func testTruncatedSafetensorsIsRejectedNamingTheFile() throws {
        let folder = try copyOfFixtureModel(fixture, self)
        let url = folder.appendingPathComponent("model.safetensors")
        let data = try Data(contentsOf: url)
        try data.prefix(data.count / 2).write(to: url)
        assertThrowsMessage(["model.safetensors"]) { _ = try CLIPModel(folder: folder) }
    }

    func testHeaderClaimingAbsurdSizeIsRejected() throws {
        let folder = try copyOfFixtureModel(fixture, self)
        let url = folder.appendingPathComponent("model.safetensors")
        var data = try Data(contentsOf: url)
        withUnsafeBytes(of: UInt64(1 << 40).littleEndian) { data.replaceSubrange(0..<8, with: $0) }
        try data.write(to: url)
        assertThrowsMessage(["model.safetensors", "header"]) { _ = try CLIPModel(folder: folder) }
    }

    func testMissingTensorIsNamed() throws {
        let folder = try copyOfFixtureModel(fixture, self)
        try rewriteWeights(folder) { $0.removeAll { $0.name == "vision_model.encoder.layers.1.mlp.fc2.bias" } }
        assertThrowsMessage(["model.safetensors", "missing tensor", "vision_model.encoder.layers.1.mlp.fc2.bias"]) {
            _ = try CLIPModel(folder: folder)
        }
    }

    func testWrongShapeIsNamedWithBothShapes() throws {
        let folder = try copyOfFixtureModel(fixture, self)
        try rewriteWeights(folder) { tensors in
            let i = tensors.firstIndex { $0.name == "text_projection.weight" }!
            tensors[i] = (name: tensors[i].name, shape: [4, 8], values: [Float](repeating: 0, count: 32))
        }
        assertThrowsMessage(["model.safetensors", "text_projection.weight", "[4, 8]", "[16, 8]"]) {
            _ = try CLIPModel(folder: folder)
        }
    }

    func testUnknownExtraTensorIsReported() throws {
        let folder = try copyOfFixtureModel(fixture, self)
        try rewriteWeights(folder) { $0.append((name: "vision_model.head.weight", shape: [2], values: [1, 2])) }
        assertThrowsMessage(["model.safetensors", "unexpected", "vision_model.head.weight"]) {
            _ = try CLIPModel(folder: folder)
        }
    }

    func testOldCheckpointPositionIdBuffersAreAccepted() throws {
        let folder = try copyOfFixtureModel(fixture, self)
        let model0 = try CLIPModel(folder: folder)
        try rewriteWeights(folder) { tensors in
            tensors.append((name: "text_model.embeddings.position_ids", shape: [1, 24], values: (0..<24).map(Float.init)))
            tensors.append((name: "vision_model.embeddings.position_ids", shape: [1, 17], values: (0..<17).map(Float.init)))
        }
        let model = try CLIPModel(folder: folder)
        XCTAssertEqual(model.embeddingDimension, model0.embeddingDimension)
    }

    func testMissingTokenizerFilesAreNamed() throws {
        let folder = try copyOfFixtureModel(fixture, self)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("merges.txt"))
        assertThrowsMessage(["merges.txt"]) { _ = try CLIPModel(folder: folder) }
    }
}
