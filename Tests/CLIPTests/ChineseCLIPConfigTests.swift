import Foundation
import TestSupport
import XCTest
@testable import CLIP

/// Decoding transformers' ChineseCLIPModel config.json as transformers does, and refusing
/// configs that describe no buildable model.
final class ChineseCLIPConfigTests: XCTestCase {
    /// Shaped like the config.json of OFA-Sys/chinese-clip-vit-base-patch16 (BERT extras such
    /// as `directionality` and `pooler_*` are ignored, as transformers ignores them).
    static let ofaStyleBasePatch16 = #"""
    {
      "architectures": ["ChineseCLIPModel"],
      "initializer_factor": 1.0,
      "logit_scale_init_value": 2.6592,
      "model_type": "chinese_clip",
      "projection_dim": 512,
      "text_config": {
        "architectures": ["BertForMaskedLM"],
        "attention_probs_dropout_prob": 0.1,
        "bos_token_id": 0,
        "directionality": "bidi",
        "eos_token_id": 2,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": 768,
        "initializer_range": 0.02,
        "intermediate_size": 3072,
        "layer_norm_eps": 1e-12,
        "max_position_embeddings": 512,
        "model_type": "chinese_clip_text_model",
        "num_attention_heads": 12,
        "num_hidden_layers": 12,
        "pad_token_id": 0,
        "pooler_fc_size": 768,
        "type_vocab_size": 2,
        "vocab_size": 21128
      },
      "vision_config": {
        "hidden_size": 768,
        "intermediate_size": 3072,
        "model_type": "chinese_clip_vision_model",
        "num_attention_heads": 12,
        "num_hidden_layers": 12,
        "patch_size": 16,
        "projection_dim": 512
      }
    }
    """#

    private func load(_ json: String) throws -> ChineseCLIPConfig {
        let url = try temporaryFolder(self).appendingPathComponent("config.json")
        try Data(json.utf8).write(to: url)
        XCTAssertTrue(ChineseCLIPConfig.declaresChineseCLIP(url) || !json.contains("chinese_clip\""))
        return try ChineseCLIPConfig.load(from: url)
    }

    func testOFAStyleBasePatch16ConfigEqualsTheViTB16Preset() throws {
        let config = try load(Self.ofaStyleBasePatch16)
        XCTAssertEqual(config, ChineseCLIPConfig.vitB16())
        XCTAssertEqual(config.contextLength, 52, "trained context, not the 512 positions")
        XCTAssertEqual(config.textConfig.layerNormEps, 1e-12)
    }

    func testAbsentKeysTakeTransformersDefaults() throws {
        let config = try load(#"{"model_type": "chinese_clip"}"#)
        XCTAssertEqual(config.textConfig, ChineseCLIPTextConfig())
        XCTAssertEqual(config.textConfig.vocabSize, 30522)
        XCTAssertEqual(config.textConfig.hiddenAct, .gelu)
        XCTAssertEqual(config.visionConfig, CLIPVisionConfig())
        XCTAssertEqual(config.visionConfig.hiddenAct, .quickGELU)
        XCTAssertEqual(config.projectionDim, 512)
    }

    func testLegacyTextConfigDictReplacesTextConfig() throws {
        let config = try load(#"{"model_type": "chinese_clip", "text_config": {"hidden_size": 64, "num_attention_heads": 4}, "text_config_dict": {"hidden_size": 32, "num_attention_heads": 2}}"#)
        XCTAssertEqual(config.textConfig.hiddenSize, 32)
        XCTAssertEqual(config.textConfig.numAttentionHeads, 2)
    }

    func testShortPositionTablesShortenTheContext() throws {
        let config = try load(#"{"model_type": "chinese_clip", "text_config": {"max_position_embeddings": 40}}"#)
        XCTAssertEqual(config.contextLength, 40)
    }

    func testCLIPSummaryKeepsTheVisionTowerAndTheBERTSizes() throws {
        let summary = try load(Self.ofaStyleBasePatch16).clipSummary
        XCTAssertEqual(summary.modelType, "chinese_clip")
        XCTAssertEqual(summary.visionConfig, ChineseCLIPConfig.vitB16().visionConfig)
        XCTAssertEqual(summary.textSpec.vocabSize, 21128)
        XCTAssertEqual(summary.textSpec.maxPositions, 512)
        XCTAssertEqual(summary.textSpec.dim, 768)
        XCTAssertEqual(summary.projectionDim, 512)
    }

    func testBadValuesAreRejectedNamingTheFileAndKey() throws {
        assertThrowsMessage(["config.json", "text_config.hidden_act", "\"relu\" is not supported"]) {
            _ = try self.load(#"{"model_type": "chinese_clip", "text_config": {"hidden_act": "relu"}}"#)
        }
        assertThrowsMessage(["config.json", "text_config.hidden_size 100 is not divisible by num_attention_heads 12"]) {
            _ = try self.load(#"{"model_type": "chinese_clip", "text_config": {"hidden_size": 100}}"#)
        }
        assertThrowsMessage(["config.json", "text_config.type_vocab_size must be positive"]) {
            _ = try self.load(#"{"model_type": "chinese_clip", "text_config": {"type_vocab_size": 0}}"#)
        }
        assertThrowsMessage(["config.json", "vision_config.hidden_size: expected an integer"]) {
            _ = try self.load(#"{"model_type": "chinese_clip", "vision_config": {"hidden_size": "768"}}"#)
        }
        assertThrowsMessage(["config.json", "\"clip\" is not a ChineseCLIPModel config"]) {
            _ = try self.load(#"{"model_type": "clip"}"#)
        }
    }

    func testModelTypeProbeAnswersOnlyForChineseCLIP() throws {
        let folder = try temporaryFolder(self)
        let url = folder.appendingPathComponent("config.json")
        for (json, expected) in [(#"{"model_type": "chinese_clip"}"#, true), (#"{"model_type": "clip"}"#, false),
                                 ("{not json", false), ("[1, 2]", false)] {
            try Data(json.utf8).write(to: url)
            XCTAssertEqual(ChineseCLIPConfig.declaresChineseCLIP(url), expected, json)
        }
        XCTAssertFalse(ChineseCLIPConfig.declaresChineseCLIP(folder.appendingPathComponent("missing.json")))
    }
}
