import Foundation
import TestSupport
import XCTest

/// The same commands on a Chinese-CLIP model folder (chosen from config.json's model_type),
/// with Chinese and mixed class lists.
final class ChineseCLIPCommandTests: XCTestCase {
    let model = CLI.packageRoot.appendingPathComponent("Tests/CLIPTests/Fixtures/chinese_clip/cn-tiny-gelu-f16").path
    let photos = CLI.packageRoot.appendingPathComponent("Tests/ImagingTests/Fixtures/decode").path

    struct Reference: Decodable {
        struct Text: Decodable { var text: String; var ids: [Int]; var embedding: [Double] }
        var logit_scale: Double
        var texts: [Text]
    }

    func anyPhoto() throws -> String {
        let names = try FileManager.default.contentsOfDirectory(atPath: photos).sorted()
        return photos + "/" + names.first { $0.hasSuffix(".jpg") && !$0.contains("cmyk") && !$0.contains("grey") }!
    }

    func testDetectWithChineseAndEnglishClassesReportsTheirLabels() throws {
        let dir = try temporaryFolder(self)
        let classes = ["长颈鹿", "戴帽子的人", "red star"]
        let r = try CLI.run([try anyPhoto(), "--classes", classes.joined(separator: ","), "--model", model, "--conf", "0",
                             "--max-proposals", "20", "--json", "out.json"], cwd: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("out.json"))) as! [[String: Any]]
        XCTAssertEqual(json.first?["classes"] as? [String], classes)
        let detections = try XCTUnwrap(json.first?["detections"] as? [[String: Any]])
        XCTAssertFalse(detections.isEmpty, "--conf 0 keeps every box that survives NMS")
        for d in detections {
            XCTAssertEqual(d["label"] as? String, classes[d["class_id"] as! Int])
        }
    }

    func testEmbedGivesTransformersIdsAndEmbeddingsForChineseText() throws {
        let ref = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: URL(fileURLWithPath: model + "/reference.json")))
        let wanted = ref.texts.prefix(4)
        let r = try CLI.run(["embed", "--model", model, "--json"] + wanted.flatMap { ["--text", $0.text] })
        XCTAssertEqual(r.status, 0, r.stderr)
        let out = try JSONSerialization.jsonObject(with: r.stdoutData) as! [String: Any]
        XCTAssertEqual(out["logit_scale"] as! Double, ref.logit_scale, accuracy: 1e-6)
        let texts = out["texts"] as! [[String: Any]]
        XCTAssertEqual(texts.count, wanted.count)
        for (t, want) in zip(texts, wanted) {
            XCTAssertEqual(t["text"] as? String, want.text)
            XCTAssertEqual(t["ids"] as? [Int], want.ids, "ids as BertTokenizerFast, [CLS] … [SEP]")
            let got = t["embedding"] as! [Double]
            XCTAssertEqual(got.count, want.embedding.count)
            for (a, b) in zip(got, want.embedding) { XCTAssertEqual(a, b, accuracy: 1e-4) }
        }
    }

    func testChineseCLIPPresetRunsWithRandomWeightsAndTheShippedVocabulary() throws {
        let r = try CLI.run(["embed", "--config", "chinese-clip-vit-b-16", "--text", "长颈鹿", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let out = try JSONSerialization.jsonObject(with: r.stdoutData) as! [String: Any]
        let text = (out["texts"] as! [[String: Any]])[0]
        XCTAssertEqual(text["ids"] as? [Int], [101, 7270, 7568, 7922, 102])
        XCTAssertEqual((text["embedding"] as! [Double]).count, 512)
    }

    func testUnknownPresetListsTheChinesePreset() throws {
        let r = try CLI.run(["bench", "--config", "chinese-clip-vit-x"])
        assertCleanFailure(r, mentions: ["chinese-clip-vit-x", "unknown preset", "chinese-clip-vit-b-16"])
    }
}
