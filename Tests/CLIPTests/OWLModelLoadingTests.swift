import Foundation
import TestSupport
import XCTest
@testable import CLIP

/// OWL loading is strict: every tensor under its transformers key, one error line naming the
/// file and the problem otherwise.
final class OWLModelLoadingTests: XCTestCase {
    /// Copies an OWL fixture folder (resolving symlinks) so a test can damage it.
    func copy(_ name: String) throws -> URL { try Self.copy(name, for: self) }

    /// Copies an OWL fixture folder into a temporary folder of `test`.
    static func copy(_ name: String, for test: XCTestCase) throws -> URL {
        let dst = try temporaryFolder(test).appendingPathComponent(name)
        try FileManager.default.createDirectory(at: dst, withIntermediateDirectories: true)
        for file in ["config.json", "model.safetensors", "vocab.json", "merges.txt", "preprocessor_config.json"] {
            let src = OWLModelParityTests.folder(name).appendingPathComponent(file).resolvingSymlinksInPath()
            try FileManager.default.copyItem(at: src, to: dst.appendingPathComponent(file))
        }
        return dst
    }


    func editConfig(_ folder: URL, _ file: String = "config.json", _ edit: (inout [String: Any]) -> Void) throws {
        let url = folder.appendingPathComponent(file)
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        edit(&json)
        try JSONSerialization.data(withJSONObject: json).write(to: url)
    }

    func testMissingHeadTensorIsNamed() throws {
        let folder = try copy("owlvit-p16-f32")
        try rewriteWeights(folder) { $0.removeAll { $0.name == "class_head.logit_scale.bias" } }
        assertThrowsMessage(["model.safetensors", "missing tensor", "class_head.logit_scale.bias"]) {
            _ = try OWLModel(folder: folder)
        }
    }

    func testMissingBackboneTensorIsNamedUnderItsPrefix() throws {
        let folder = try copy("owlv2-p10-f32")
        try rewriteWeights(folder) { $0.removeAll { $0.name == "owlv2.vision_model.pre_layernorm.weight" } }
        assertThrowsMessage(["missing tensor", "owlv2.vision_model.pre_layernorm.weight"]) { _ = try OWLModel(folder: folder) }
    }

    func testExtraTensorIsRejected() throws {
        let folder = try copy("owlvit-p8-f16")
        try rewriteWeights(folder) { $0.append((name: "box_head.dense3.weight", shape: [2], values: [1, 2])) }
        assertThrowsMessage(["model.safetensors", "unexpected tensor", "box_head.dense3.weight"]) { _ = try OWLModel(folder: folder) }
    }

    func testMisShapedTensorIsRejectedWithBothShapes() throws {
        let folder = try copy("owlvit-p16-f32")
        try rewriteWeights(folder) { tensors in
            let i = tensors.firstIndex { $0.name == "box_head.dense2.weight" }!
            tensors[i] = (name: tensors[i].name, shape: [5, 30], values: [Float](repeating: 0, count: 150))
        }
        assertThrowsMessage(["box_head.dense2.weight", "[5, 30]", "[4, 30]"]) { _ = try OWLModel(folder: folder) }
    }

    func testOWLViTCheckpointDeclaredAsOWLv2LacksTheObjectnessHead() throws {
        let folder = try copy("owlvit-p16-f32")
        try editConfig(folder) { $0["model_type"] = "owlv2" }
        // The weights are under owlvit.*: the first missing key is the backbone's.
        assertThrowsMessage(["missing tensor", "owlv2."]) { _ = try OWLModel(folder: folder) }
    }

    func testOWLv2WithoutObjectnessHeadIsRejected() throws {
        let folder = try copy("owlv2-p12-f16")
        try rewriteWeights(folder) { $0.removeAll { $0.name.hasPrefix("objectness_head.") } }
        assertThrowsMessage(["missing tensor", "objectness_head.dense0"]) { _ = try OWLModel(folder: folder) }
    }

    func testNonOWLModelTypeIsRejectedByTheOWLLoader() throws {
        let folder = try copy("owlvit-p16-f32")
        try editConfig(folder) { $0["model_type"] = "clip" }
        XCTAssertNil(OWLConfig.declaredFamily(folder.appendingPathComponent("config.json")))
        assertThrowsMessage(["config.json", "model_type", "owlvit"]) { _ = try OWLModel(folder: folder) }
    }

    func testProjectionDimMustEqualTextWidth() throws {
        let folder = try copy("owlvit-p16-f32")
        try editConfig(folder) { $0["projection_dim"] = 20 }
        assertThrowsMessage(["config.json", "projection_dim 20", "text_config.hidden_size 16"]) { _ = try OWLModel(folder: folder) }
    }

    func testPreprocessorSizeMustMatchTheVisionTower() throws {
        let folder = try copy("owlv2-p10-f32")
        try editConfig(folder, "preprocessor_config.json") { $0["size"] = ["height": 96, "width": 96] }
        assertThrowsMessage(["preprocessor_config.json", "96x96", "image_size is 80"]) { _ = try OWLModel(folder: folder) }
    }

    func testOnlyPytorchBinNamesTheConverter() throws {
        let folder = try copy("owlvit-p8-f16")
        try FileManager.default.moveItem(at: folder.appendingPathComponent("model.safetensors"),
                                         to: folder.appendingPathComponent("pytorch_model.bin"))
        assertThrowsMessage(["pytorch_model.bin", "models/convert_to_safetensors.py"]) { _ = try OWLModel(folder: folder) }
    }

    func testAbsentKeysTakeTransformersOWLDefaults() throws {
        let url = try temporaryFolder(self).appendingPathComponent("config.json")
        try Data(#"{"model_type": "owlv2", "text_config": {}, "vision_config": {}}"#.utf8).write(to: url)
        let v2 = try OWLConfig.load(from: url)
        XCTAssertEqual(v2.visionConfig.imageSize, 768)
        XCTAssertEqual(v2.visionConfig.patchSize, 16)
        XCTAssertEqual(v2.textConfig.maxPositionEmbeddings, 16)
        XCTAssertEqual(v2.textConfig.padTokenId, 0)
        XCTAssertEqual(v2.projectionDim, 512)
        try Data(#"{"model_type": "owlvit"}"#.utf8).write(to: url)
        let v1 = try OWLConfig.load(from: url)
        XCTAssertEqual(v1, OWLConfig.owlvitB32())
    }
}
