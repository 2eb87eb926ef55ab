import Foundation
import TestSupport
import XCTest
@testable import CLIP

/// Golden tests against transformers' `ChineseCLIPModel` (fixtures:
/// Fixtures/chinese_clip/make_chinese_clip_fixtures.py; tolerances: `ParityFixture`).
final class ChineseCLIPModelParityTests: XCTestCase {
    static let fixtures = ["cn-tiny-quickgelu-f32", "cn-tiny-gelu-f16", "cn-tiny-bf16-pooler"]

    static func folder(_ name: String) -> URL {
        SourceTree.fixtures.appendingPathComponent("chinese_clip/\(name)")
    }

    func reference(_ name: String) throws -> ParityFixture.Reference {
        try ParityFixture(Self.folder(name)).reference()
    }

    func testFolderWithChineseCLIPModelTypeLoadsTheBERTTowerAndWordPiece() throws {
        for name in Self.fixtures {
            let model = try CLIPModel(folder: Self.folder(name))
            XCTAssertEqual(model.config.modelType, "chinese_clip", name)
            XCTAssertNotNil(model.chineseCLIPConfig, name)
            XCTAssertTrue(model.tokenizer is WordPieceTokenizer, name)
            XCTAssertTrue(model.text is ChineseCLIPTextTransformer, name)
            XCTAssertEqual(model.contextLength, try reference(name).context_length, name)
        }
        let clip = try CLIPModel(folder: SourceTree.model("tiny-gelu-f16"))
        XCTAssertNil(clip.chineseCLIPConfig)
        XCTAssertTrue(clip.tokenizer is BPETokenizer)
    }

    func testImageFeaturesMatchTransformersForEveryFixtureConfig() throws {
        for name in Self.fixtures { try ParityFixture(Self.folder(name)).assertImageFeaturesMatch() }
    }

    func testTextFeaturesMatchTransformersPoolingCLSOfUnpaddedTexts() throws {
        for name in Self.fixtures { try ParityFixture(Self.folder(name)).assertTextFeaturesMatch() }
    }

    func testEncodeTextsTokenizesLikeTransformersAndTruncatesToTheModelContext() throws {
        for name in Self.fixtures {
            let model = try CLIPModel(folder: Self.folder(name))
            let ref = try reference(name)
            let warnings = WarningLog()
            model.onWarning = { warnings.append($0) }
            XCTAssertEqual(ref.texts.map { model.tokenize($0.text).ids }, ref.texts.map(\.ids), name)
            let embeddings = try model.encodeTexts(ref.texts.map(\.text))
            for (got, t) in zip(embeddings, ref.texts) { assertEmbeddingClose(got, t.embedding, "\(name) \"\(t.text.prefix(20))\"") }
            XCTAssertEqual(warnings.messages.count, 1, "only the long text is truncated: \(warnings.messages)")
            let contextLength = try XCTUnwrap(ref.context_length)
            XCTAssertTrue(warnings.messages.first?.contains("truncated to \(contextLength) tokens") == true)
        }
    }

    func testPreprocessorConfigOfChineseCLIPIsAppliedToPhotos() throws {
        let name = "cn-tiny-gelu-f16"
        let model = try CLIPModel(folder: Self.folder(name))
        let want = try XCTUnwrap(try reference(name).photo_embed)
        let inputs = try ParityFixture(Self.folder(name)).inputs()
        let info = try XCTUnwrap(inputs.info("photo_rgb"))
        let photo = RGBImage(width: info.shape[1], height: info.shape[0], pixels: try inputs.floats("photo_rgb").map { UInt8($0) })
        assertEmbeddingClose(model.encodeImages([photo])[0], want, "\(name) photo through ChineseCLIPImageProcessor")
    }

    func testRandomWeightPresetBuildsTheFullSizeArchitecture() throws {
        let model = try CLIPModel(preset: "chinese-clip-vit-b-16", seed: 1)
        XCTAssertEqual(model.chineseCLIPConfig, ChineseCLIPConfig.vitB16())
        XCTAssertEqual(model.contextLength, 52)
        XCTAssertEqual(model.embeddingDimension, 512)
        XCTAssertEqual(model.config.textConfig.vocabSize, 21128)
        let texts = try model.encodeTexts(["长颈鹿", "戴帽子的人", "red star"])
        XCTAssertEqual(texts.map(\.count), [512, 512, 512])
        XCTAssertTrue(texts.allSatisfy { $0.allSatisfy(\.isFinite) })
    }

    func testMissingVocabularyOrTensorIsOneErrorLineNamingTheFile() throws {
        let source = Self.folder("cn-tiny-bf16-pooler")
        let copy = try temporaryFolder(self).appendingPathComponent("cn")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        for file in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(file), to: copy.appendingPathComponent(file))
        }
        assertThrowsMessage(["vocab.txt", "not found"]) { _ = try CLIPModel(folder: copy) }
        // A CLIP config.json over Chinese-CLIP weights: the CLIP loader names the first tensor it misses.
        try FileManager.default.copyItem(at: SourceTree.model("tiny-short-bf16").appendingPathComponent("config.json").resolvingSymlinksInPath(),
                                         to: copy.appendingPathComponent("clip-config.json"))
        try FileManager.default.removeItem(at: copy.appendingPathComponent("config.json"))
        try FileManager.default.moveItem(at: copy.appendingPathComponent("clip-config.json"), to: copy.appendingPathComponent("config.json"))
        for file in ["vocab.json", "merges.txt"] {
            try FileManager.default.copyItem(at: SourceTree.vocabulary.appendingPathComponent(file), to: copy.appendingPathComponent(file))
        }
        assertThrowsMessage(["model.safetensors", "missing tensor", "text_model.embeddings.token_embedding.weight"]) {
            _ = try CLIPModel(folder: copy)
        }
    }
}

/// Collects warnings from `CLIPModel.onWarning` (called synchronously).
final class WarningLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    var messages: [String] { lock.withLock { stored } }
    func append(_ message: String) { lock.withLock { stored.append(message) } }
}
