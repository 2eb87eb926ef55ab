import Foundation
import TestSupport
import XCTest

final class EmbedCommandTests: XCTestCase {
    struct Output: Decodable {
        struct Image: Decodable { var path: String; var embedding: [Double] }
        struct Text: Decodable { var text: String; var ids: [Int]; var embedding: [Double] }
        var logit_scale: Double
        var images: [Image]
        var texts: [Text]
    }

    struct Reference: Decodable {
        struct Text: Decodable { var text: String; var ids: [Int]; var embedding: [Double] }
        var logit_scale: Double
        var texts: [Text]
    }

    func testEmbedJSONHasTheDocumentedSchemaAndTransformersValues() throws {
        let model = CLI.fixtureModel()
        let image = CLI.packageRoot.appendingPathComponent("Tests/CLIPTests/Fixtures/preprocess").path
        let anyImage = try FileManager.default.contentsOfDirectory(atPath: image).first { $0.hasSuffix(".jpg") }!
        let r = try CLI.run(["embed", "--model", model, "--text", "a photo of a cat.", "--text", "a red star",
                             "--image", image + "/" + anyImage, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let out = try JSONDecoder().decode(Output.self, from: r.stdoutData)
        let ref = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: URL(fileURLWithPath: model + "/reference.json")))
        XCTAssertEqual(out.logit_scale, ref.logit_scale, accuracy: 1e-6)
        XCTAssertEqual(out.images.count, 1)
        XCTAssertEqual(out.images[0].embedding.count, 20)
        for t in out.texts {
            let want = ref.texts.first { $0.text == t.text }!
            XCTAssertEqual(t.ids, want.ids, "ids without padding, as CLIPTokenizerFast")
            for (a, b) in zip(t.embedding, want.embedding) { XCTAssertEqual(a, b, accuracy: 1e-4) }
        }
    }

    func testMissingModelFolderIsOneErrorLine() throws {
        let r = try CLI.run(["embed", "--model", "/no/such/model", "--text", "x"])
        assertCleanFailure(r, mentions: ["/no/such/model", "not found"])
    }

    func testUnreadableImageIsOneErrorLineNamingTheFile() throws {
        let dir = try temporaryFolder(self)
        let bad = dir.appendingPathComponent("broken.jpg")
        try Data("this is not a jpeg".utf8).write(to: bad)
        let r = try CLI.run(["embed", "--model", CLI.fixtureModel(), "--image", bad.path])
        assertCleanFailure(r, mentions: ["broken.jpg"])
        XCTAssertTrue(r.stdout.isEmpty, "nothing printed on failure")
    }

    func testConfigWithoutVisionConfigIsOneErrorLine() throws {
        let dir = try temporaryFolder(self)
        let src = URL(fileURLWithPath: CLI.fixtureModel())
        for f in ["model.safetensors", "vocab.json", "merges.txt"] {
            try FileManager.default.copyItem(at: src.appendingPathComponent(f).resolvingSymlinksInPath(), to: dir.appendingPathComponent(f))
        }
        var cfg = try JSONSerialization.jsonObject(with: Data(contentsOf: src.appendingPathComponent("config.json"))) as! [String: Any]
        cfg.removeValue(forKey: "vision_config")
        try JSONSerialization.data(withJSONObject: cfg).write(to: dir.appendingPathComponent("config.json"))
        let r = try CLI.run(["embed", "--model", dir.path, "--text", "x"])
        assertCleanFailure(r, mentions: ["config.json", "vision_config"])
    }

    func testTruncatedWeightsAreOneErrorLine() throws {
        let dir = try temporaryFolder(self)
        let src = URL(fileURLWithPath: CLI.fixtureModel())
        for f in ["config.json", "vocab.json", "merges.txt"] {
            try FileManager.default.copyItem(at: src.appendingPathComponent(f).resolvingSymlinksInPath(), to: dir.appendingPathComponent(f))
        }
        let w = try Data(contentsOf: src.appendingPathComponent("model.safetensors"))
        try w.prefix(w.count - 1000).write(to: dir.appendingPathComponent("model.safetensors"))
        let r = try CLI.run(["embed", "--model", dir.path, "--text", "x"])
        assertCleanFailure(r, mentions: ["model.safetensors"])
    }

    func testLongTextIsTruncatedWithAWarning() throws {
        let long = Array(repeating: "word", count: 120).joined(separator: " ")
        let r = try CLI.run(["embed", "--model", CLI.fixtureModel(), "--text", long, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("warning: text truncated to 77 tokens"), r.stderr)
        let out = try JSONDecoder().decode(Output.self, from: r.stdoutData)
        XCTAssertEqual(out.texts[0].ids.count, 77)
        XCTAssertEqual(out.texts[0].ids.last, 49407)
    }

    func testBenchJSONReportsThroughput() throws {
        let r = try CLI.run(["bench", "--model", CLI.fixtureModel(), "--batch", "2", "--iterations", "1", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let obj = try JSONSerialization.jsonObject(with: r.stdoutData) as! [String: Any]
        for key in ["images_per_s", "texts_per_s", "image_gflops_per_s", "image_sgemm_share", "peak_rss_mb"] {
            XCTAssertNotNil(obj[key] as? Double, "missing \(key)")
        }
        XCTAssertGreaterThan(obj["images_per_s"] as! Double, 0)
    }
}
