import Foundation
import TestSupport
import XCTest

@testable import CLIP

/// Decoding transformers' CLIPModel config.json the way transformers does, and refusing
/// configs that describe no buildable model.
final class CLIPConfigTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = try temporaryFolder(self)
    }

    private func load(_ json: String) throws -> CLIPConfig {
        let url = folder.appendingPathComponent("config.json")
        try Data(json.utf8).write(to: url)
        return try CLIPConfig.load(from: url)
    }

    private func assertRejected(_ json: String, mentioning fragment: String, line: UInt = #line) {
        let path = folder.appendingPathComponent("config.json").path
        XCTAssertThrowsError(try load(json), line: line) { error in
            let message = (error as? CLIPError)?.message ?? "\(error)"
            XCTAssertTrue(message.hasPrefix(path + ": "), "does not name the file: \(message)", line: line)
            XCTAssertTrue(message.contains(fragment), "\"\(fragment)\" missing from: \(message)", line: line)
            XCTAssertFalse(message.contains("\n"), "not one line: \(message)", line: line)
        }
    }

    // MARK: - Published configs

    func testOpenAIBasePatch32ConfigEqualsTheB32Preset() throws {
        let config = try load(CLIPConfigSamples.openAIBasePatch32)
        XCTAssertEqual(config, CLIPConfig.vitB32())
        XCTAssertEqual(config.visionConfig.patchSize, 32)
        XCTAssertEqual(config.visionConfig.hiddenSize, 768)
        XCTAssertEqual(config.textConfig.hiddenSize, 512)
        XCTAssertEqual(config.textConfig.numAttentionHeads, 8)
        XCTAssertEqual(config.textConfig.eosTokenId, 2, "legacy value kept as written")
        XCTAssertEqual(config.textConfig.bosTokenId, 0)
        XCTAssertEqual(config.projectionDim, 512)
        XCTAssertEqual(config.logitScaleInitValue, 2.6592)
    }

    func testOpenAILargePatch14At336TakesTheLegacyConfigDicts() throws {
        let config = try load(CLIPConfigSamples.openAILargePatch14At336)
        var expected = CLIPConfig.vitL14()
        expected.visionConfig.imageSize = 336
        XCTAssertEqual(config, expected)
        // text_config says eos 2 / bos 0, but text_config_dict (without them) wins with defaults.
        XCTAssertEqual(config.textConfig.eosTokenId, 49407)
        XCTAssertEqual(config.textConfig.bosTokenId, 49406)
        XCTAssertEqual(config.visionSpec.imageSize / config.visionSpec.patch, 24)
    }

    func testLAIONHugePatch14StyleConfigUsesGELUAndDefaults() throws {
        let config = try load(CLIPConfigSamples.laionHugePatch14Style)
        XCTAssertEqual(config.visionConfig.hiddenAct, .gelu)
        XCTAssertEqual(config.textConfig.hiddenAct, .gelu)
        XCTAssertEqual([config.visionConfig.hiddenSize, config.visionConfig.intermediateSize,
                        config.visionConfig.numHiddenLayers, config.visionConfig.numAttentionHeads,
                        config.visionConfig.patchSize, config.visionConfig.imageSize], [1280, 5120, 32, 16, 14, 224])
        XCTAssertEqual([config.textConfig.hiddenSize, config.textConfig.intermediateSize, config.textConfig.numHiddenLayers,
                        config.textConfig.numAttentionHeads, config.textConfig.vocabSize,
                        config.textConfig.maxPositionEmbeddings, config.textConfig.eosTokenId], [1024, 4096, 24, 16, 49408, 77, 49407])
        XCTAssertEqual(config.projectionDim, 1024)
    }

    // MARK: - transformers' defaulting rules

    func testAbsentKeysTakeTransformersDefaults() throws {
        let config = try load(#"{"vision_config": {}, "text_config": {}}"#)
        XCTAssertEqual(config.visionConfig, CLIPVisionConfig())
        XCTAssertEqual(config.textConfig, CLIPTextConfig())
        XCTAssertEqual([config.visionConfig.hiddenSize, config.visionConfig.patchSize, config.textConfig.hiddenSize,
                        config.textConfig.intermediateSize, config.textConfig.padTokenId, config.textConfig.bosTokenId],
                       [768, 32, 512, 2048, 1, 49406])
        XCTAssertEqual(config.textConfig.layerNormEps, 1e-5)
        XCTAssertEqual(config.projectionDim, 512)
        XCTAssertEqual(config.logitScaleInitValue, 2.6592)
        XCTAssertEqual(config.modelType, "clip")
    }

    func testConfigDictReplacesTheWholeSubConfigLikeTransformers() throws {
        let config = try load(#"""
            {"vision_config": {}, "text_config": {"hidden_act": "gelu", "eos_token_id": 2, "hidden_size": 1024},
             "text_config_dict": {"hidden_size": 768}}
            """#)
        XCTAssertEqual(config.textConfig.hiddenSize, 768)
        XCTAssertEqual(config.textConfig.hiddenAct, .quickGELU, "default from the dict wins over text_config")
        XCTAssertEqual(config.textConfig.eosTokenId, 49407)
    }

    func testProjectionDimStatedOnlyInBothSubConfigsIsUsed() throws {
        let agreed = try load(#"{"vision_config": {"projection_dim": 768}, "text_config": {"projection_dim": 768}}"#)
        XCTAssertEqual(agreed.projectionDim, 768)
        let disagreeing = try load(#"{"vision_config": {"projection_dim": 768}, "text_config": {"projection_dim": 640}}"#)
        XCTAssertEqual(disagreeing.projectionDim, 512, "transformers' default when nothing settles it")
        let topLevel = try load(#"{"projection_dim": 256, "vision_config": {"projection_dim": 768}, "text_config": {"projection_dim": 768}}"#)
        XCTAssertEqual(topLevel.projectionDim, 256)
    }

    func testSquareSizeListsAndSingleTokenListsAreAccepted() throws {
        let config = try load(#"{"vision_config": {"image_size": [336, 336], "patch_size": [14, 14]}, "text_config": {"eos_token_id": [49407]}}"#)
        XCTAssertEqual(config.visionConfig.imageSize, 336)
        XCTAssertEqual(config.visionConfig.patchSize, 14)
        XCTAssertEqual(config.textConfig.eosTokenId, 49407)
    }

    func testExplicitNullTokenIdsStayNull() throws {
        let config = try load(#"{"vision_config": {}, "text_config": {"pad_token_id": null, "bos_token_id": null}}"#)
        XCTAssertNil(config.textConfig.padTokenId)
        XCTAssertNil(config.textConfig.bosTokenId)
    }

    // MARK: - Presets

    func testPresetsDescribeTheOpenAIModels() {
        XCTAssertEqual(CLIPConfig.vitB16().visionConfig.patchSize, 16)
        XCTAssertEqual(CLIPConfig.vitB16().textConfig, CLIPConfig.vitB32().textConfig)
        let large = CLIPConfig.vitL14()
        XCTAssertEqual([large.visionConfig.hiddenSize, large.visionConfig.numHiddenLayers, large.visionConfig.numAttentionHeads,
                        large.visionConfig.intermediateSize, large.visionConfig.patchSize, large.visionConfig.imageSize,
                        large.textConfig.hiddenSize, large.textConfig.numAttentionHeads, large.textConfig.intermediateSize,
                        large.projectionDim], [1024, 24, 16, 4096, 14, 224, 768, 12, 3072, 768])
        for preset in [CLIPConfig.vitB32(), .vitB16(), .vitL14()] {
            XCTAssertEqual(preset.problems(), [])
        }
    }

    func testEncodingThenDecodingGivesTheSameConfig() throws {
        for preset in [CLIPConfig.vitB32(), .vitL14()] {
            let data = try JSONEncoder().encode(preset)
            XCTAssertEqual(try JSONDecoder().decode(CLIPConfig.self, from: data), preset)
        }
    }

    // MARK: - Rejections

    func testMissingFileIsRejectedNamingIt() {
        let url = folder.appendingPathComponent("absent/config.json")
        XCTAssertThrowsError(try CLIPConfig.load(from: url)) { error in
            XCTAssertEqual((error as? CLIPError)?.message,
                           "\(url.path): not found (a model folder needs the transformers config.json)")
        }
    }

    func testInvalidJSONIsRejected() {
        assertRejected(#"{"vision_config": {"#, mentioning: "not valid JSON")
        assertRejected("", mentioning: "not valid JSON")
    }

    func testMissingVisionConfigIsRejected() {
        assertRejected(#"{"text_config": {}}"#, mentioning: #"missing "vision_config""#)
        assertRejected(#"{"vision_config": {}}"#, mentioning: #"missing "text_config""#)
    }

    func testOtherModelTypesAreRejected() {
        assertRejected(#"{"model_type": "siglip", "vision_config": {}, "text_config": {}}"#,
                       mentioning: #"model_type: "siglip" is not a CLIPModel config"#)
    }

    func testHiddenSizeNotDivisibleByHeadsIsRejected() {
        assertRejected(#"{"vision_config": {"hidden_size": 100}, "text_config": {}}"#,
                       mentioning: "vision_config.hidden_size 100 is not divisible by num_attention_heads 12")
        assertRejected(#"{"vision_config": {}, "text_config": {"num_attention_heads": 7}}"#,
                       mentioning: "text_config.hidden_size 512 is not divisible by num_attention_heads 7")
    }

    func testNonPositiveSizesAreRejected() {
        assertRejected(#"{"vision_config": {"num_hidden_layers": 0}, "text_config": {}}"#,
                       mentioning: "vision_config.num_hidden_layers must be positive, got 0")
        assertRejected(#"{"vision_config": {}, "text_config": {"vocab_size": -5}}"#,
                       mentioning: "text_config.vocab_size must be positive, got -5")
        assertRejected(#"{"projection_dim": 0, "vision_config": {}, "text_config": {}}"#,
                       mentioning: "projection_dim must be positive, got 0")
        assertRejected(#"{"vision_config": {"layer_norm_eps": 0}, "text_config": {}}"#,
                       mentioning: "vision_config.layer_norm_eps must be a small positive number")
    }

    func testImageSizeNotDivisibleByPatchSizeIsRejected() {
        assertRejected(#"{"vision_config": {"image_size": 225}, "text_config": {}}"#,
                       mentioning: "vision_config.image_size 225 is not divisible by patch_size 32")
        assertRejected(#"{"vision_config": {"image_size": [224, 336]}, "text_config": {}}"#,
                       mentioning: "vision_config.image_size: [224, 336] is not supported; only square sizes")
    }

    func testUnknownActivationIsRejected() {
        assertRejected(#"{"vision_config": {"hidden_act": "relu"}, "text_config": {}}"#,
                       mentioning: #"vision_config.hidden_act: "relu" is not supported (expected quick_gelu, gelu"#)
    }

    func testWrongValueTypesAreRejectedNamingTheKey() {
        assertRejected(#"{"vision_config": {"hidden_size": "768"}, "text_config": {}}"#,
                       mentioning: "vision_config.hidden_size: expected an integer")
        assertRejected(#"{"vision_config": [], "text_config": {}}"#, mentioning: "vision_config")
        assertRejected(#"{"vision_config": {}, "text_config": {"eos_token_id": [1, 2]}}"#,
                       mentioning: "text_config.eos_token_id: [1, 2] is not supported")
        assertRejected(#"{"vision_config": {}, "text_config": {"eos_token_id": 50000}}"#,
                       mentioning: "text_config.eos_token_id 50000 is outside the vocabulary")
    }
}
