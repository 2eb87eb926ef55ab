import Foundation
import TestSupport
import XCTest
@testable import CLIP

/// Golden tests against transformers' `ChineseCLIPModel` (fixtures:
/// Fixtures/chinese_clip/make_chinese_clip_fixtures.py). Same tolerances as the CLIP fixtures:
/// cosine ≥ 0.99999 and max |error| ≤ 1e-4 · ‖reference‖.
final class ChineseCLIPModelParityTests: XCTestCase {
    struct Reference: Decodable {
        struct Text: Decodable { var text: String; var ids: [Int32]; var embedding: [Double] }
        var logit_scale: Double
        var context_length: Int
        var image_embeds: [[Double]]
        var texts: [Text]
        var photo_embed: [Double]?
    }

    static let fixtures = ["cn-tiny-quickgelu-f32", "cn-tiny-gelu-f16", "cn-tiny-bf16-pooler"]

    static func folder(_ name: String) -> URL {
        SourceTree.fixtures.appendingPathComponent("chinese_clip/\(name)")
    }

    func reference(_ name: String) throws -> Reference {
        let data = try Data(contentsOf: Self.folder(name).appendingPathComponent("reference.json"))
        return try JSONDecoder().decode(Reference.self, from: data)
    }

    func assertClose(_ got: [Float], _ want: [Double], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, want.count, "\(what): dimension", file: file, line: line)
        guard got.count == want.count else { return }
        let c = EmbeddingComparison(got, want)
        XCTAssertGreaterThanOrEqual(c.cosine, 0.99999, "\(what): cosine", file: file, line: line)
        XCTAssertLessThanOrEqual(c.maxAbsErrorOverNorm, 1e-4, "\(what): max abs error / norm", file: file, line: line)
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
        for name in Self.fixtures {
            let model = try CLIPModel(folder: Self.folder(name))
            let ref = try reference(name)
            let inputs = try SafetensorsFile(url: Self.folder(name).appendingPathComponent("reference_inputs.safetensors"))
            let pixels = try inputs.floats("pixel_values")
            for bs in [1, ref.image_embeds.count] {
                let got = pixels.withUnsafeBufferPointer {
                    model.imageFeatures(pixelValues: $0, count: ref.image_embeds.count, batchSize: bs)
                }
                for (i, want) in ref.image_embeds.enumerated() {
                    assertClose(got[i], want, "\(name) image \(i) batch \(bs)")
                }
            }
            XCTAssertEqual(Double(model.logitScaleParameter), ref.logit_scale, accuracy: 1e-6, name)
        }
    }

    func testTextFeaturesMatchTransformersPoolingCLSOfUnpaddedTexts() throws {
        for name in Self.fixtures {
            let model = try CLIPModel(folder: Self.folder(name))
            let ref = try reference(name)
            // Packed batch of different lengths (transformers padded them), then one at a time.
            let batch = try model.textFeatures(ids: ref.texts.map(\.ids))
            for (i, t) in ref.texts.enumerated() {
                assertClose(batch[i], t.embedding, "\(name) text \"\(t.text.prefix(20))\" (batched)")
                let single = try model.textFeatures(ids: [t.ids])[0]
                assertClose(single, t.embedding, "\(name) text \"\(t.text.prefix(20))\" (alone)")
            }
        }
    }

    func testEncodeTextsTokenizesLikeTransformersAndTruncatesToTheModelContext() throws {
        for name in Self.fixtures {
            let model = try CLIPModel(folder: Self.folder(name))
            let ref = try reference(name)
            let warnings = WarningLog()
            model.onWarning = { warnings.append($0) }
            XCTAssertEqual(ref.texts.map { model.tokenize($0.text).ids }, ref.texts.map(\.ids), name)
            let embeddings = try model.encodeTexts(ref.texts.map(\.text))
            for (got, t) in zip(embeddings, ref.texts) { assertClose(got, t.embedding, "\(name) \"\(t.text.prefix(20))\"") }
            XCTAssertEqual(warnings.messages.count, 1, "only the long text is truncated: \(warnings.messages)")
            XCTAssertTrue(warnings.messages.first?.contains("truncated to \(ref.context_length) tokens") == true)
        }
    }

    func testPreprocessorConfigOfChineseCLIPIsAppliedToPhotos() throws {
        let name = "cn-tiny-gelu-f16"
        let model = try CLIPModel(folder: Self.folder(name))
        let want = try XCTUnwrap(try reference(name).photo_embed)
        let inputs = try SafetensorsFile(url: Self.folder(name).appendingPathComponent("reference_inputs.safetensors"))
        let info = try XCTUnwrap(inputs.info("photo_rgb"))
        let photo = RGBImage(width: info.shape[1], height: info.shape[0], pixels: try inputs.floats("photo_rgb").map { UInt8($0) })
        assertClose(model.encodeImages([photo])[0], want, "\(name) photo through ChineseCLIPImageProcessor")
    }

    func testRandomWeightPresetBuildsTheFullSizeArchitecture() throws {
        let config = ChineseCLIPConfig.vitB16()
        let tokenizer = try WordPieceTokenizer(folder: ChineseCLIPTokenizerTests.vocabulary)
        let model = try CLIPModel(config: config, weights: RandomWeights(seed: 1), tokenizer: tokenizer,
                                  imageProcessor: ImageProcessor(config: .clipDefaults(imageSize: 224)), name: "random")
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
