import CLIP
import Detection
import Foundation
import Imaging
import Search
@testable import Serving
import TestSupport
import XCTest

/// Every route against a real server on a loopback port, compared with the library run
/// in-process on the same image (the server adds transport, never a different answer).
final class RouteTests: XCTestCase {
    func testDetectRawBodyIsOneElementOfTheCLIJSON() async throws {
        let s = try await RunningServer()
        defer { Task { await s.stop() } }
        try await s.waitUntilReady()
        let classes = "red star,blue circle,green triangle"
        let reply = try await s.post("/v1/detect?classes=\(query(classes))&max_det=20", body: ServingFixtures.sceneBytes)
        XCTAssertEqual(reply.status, 200, reply.text)
        XCTAssertEqual(reply.headers["content-type"], "application/json")
        let got = try JSONDecoder().decode(ImageDetections.self, from: reply.body)

        let image = try ImageLoader.load(path: ServingFixtures.scene.path)
        var options = ServingFixtures.model.defaultOptions
        options.maxDetections = 20
        let detector = try ServingFixtures.model.detector(options: options)
        try detector.setClasses(ClassSpec.parseList(classes))
        let want = ImageDetections(image: "-", width: image.width, height: image.height, model: ServingFixtures.model.name,
                                   classes: ["red star", "blue circle", "green triangle"], detections: try { var t = StageTimings(); return try detector.detect(image, timings: &t, reuse: nil) }())
        XCTAssertFalse(want.detections.isEmpty, "the scene should have detections")
        XCTAssertEqual(got, want)
        // Exactly the keys of one `clipdetect --json` element.
        XCTAssertEqual(Set(reply.json?.keys.map { $0 } ?? []), ["image", "width", "height", "model", "classes", "detections"])
    }

    func testDetectMultipartWithThresholdsAndChineseLabels() async throws {
        let s = try await RunningServer()
        defer { Task { await s.stop() } }
        try await s.waitUntilReady()
        let reply = try await s.postMultipart("/v1/detect", image: ServingFixtures.sceneBytes, fileName: "scene.png",
                                              fields: ["classes": "red star:0.6,蓝色圆形,green triangle", "conf": "0.2"])
        XCTAssertEqual(reply.status, 200, reply.text)
        let got = try JSONDecoder().decode(ImageDetections.self, from: reply.body)
        XCTAssertEqual(got.image, "scene.png")
        XCTAssertEqual(got.classes, ["red star", "蓝色圆形", "green triangle"])
        XCTAssertFalse(got.detections.isEmpty)
        for d in got.detections {
            XCTAssertGreaterThanOrEqual(d.score, d.label == "red star" ? 0.6 : 0.2)
        }
        // The query string works for Chinese too (percent-encoded UTF-8).
        let q = try await s.post("/v1/detect?classes=\(query("蓝色圆形,red star"))", body: ServingFixtures.sceneBytes)
        XCTAssertEqual(q.status, 200, q.text)
        XCTAssertEqual(try JSONDecoder().decode(ImageDetections.self, from: q.body).classes, ["蓝色圆形", "red star"])
    }

    func testDetectAnnotatedImageIsTheAnnotatorsDrawing() async throws {
        let s = try await RunningServer()
        defer { Task { await s.stop() } }
        try await s.waitUntilReady()
        let classes = "red star,blue circle"
        let json = try JSONDecoder().decode(ImageDetections.self, from: try await s.post("/v1/detect?classes=\(query(classes))", body: ServingFixtures.sceneBytes).body)
        let png = try await s.post("/v1/detect?classes=\(query(classes))&format=png", body: ServingFixtures.sceneBytes)
        XCTAssertEqual(png.status, 200)
        XCTAssertEqual(png.headers["content-type"], "image/png")
        let drawn = try ImageLoader.decode(data: png.body, name: "reply")
        let image = try ImageLoader.load(path: ServingFixtures.scene.path)
        let detections = json.detections.map { Detection(label: $0.label, classId: $0.class_id, score: $0.score,
                                                          box: Box(x1: $0.box[0], y1: $0.box[1], x2: $0.box[2], y2: $0.box[3])) }
        XCTAssertEqual(drawn, Annotator().draw(detections, on: image))
        XCTAssertNotEqual(drawn, image)
        let jpeg = try await s.post("/v1/detect?classes=\(query(classes))&format=jpeg", body: ServingFixtures.sceneBytes)
        XCTAssertEqual(jpeg.headers["content-type"], "image/jpeg")
        XCTAssertEqual(try ImageLoader.decode(data: jpeg.body, name: "reply").width, image.width)
    }

    func testClassifyAndEmbedMatchTheLibrary() async throws {
        let s = try await RunningServer()
        defer { Task { await s.stop() } }
        try await s.waitUntilReady()
        let model = try XCTUnwrap(ServingFixtures.model.clipModel)
        let image = try ImageLoader.load(path: ServingFixtures.scene.path)

        let c = try await s.post("/v1/classify?classes=\(query("red star,blue circle,green triangle"))", body: ServingFixtures.sceneBytes)
        XCTAssertEqual(c.status, 200, c.text)
        let got = try JSONDecoder().decode(ClassificationReport.self, from: c.body)
        let want = ClassificationReport(image: "-", try ZeroShotClassifier(model: model, classes: ["red star", "blue circle", "green triangle"]).classify([image])[0], top: nil)
        XCTAssertEqual(got, want)
        XCTAssertEqual(got.probabilities.values.reduce(0, +), 1, accuracy: 1e-4)

        let t = try await s.post("/v1/embed", body: Data(#"{"texts": ["a red star", "一个蓝色圆形"]}"#.utf8), contentType: "application/json")
        XCTAssertEqual(t.status, 200, t.text)
        let texts = try JSONDecoder().decode(EmbeddingReport.self, from: t.body)
        XCTAssertEqual(texts, try EmbeddingReport(model: model, images: [], texts: ["a red star", "一个蓝色圆形"]))

        let i = try await s.post("/v1/embed", body: ServingFixtures.sceneBytes)
        XCTAssertEqual(i.status, 200, i.text)
        XCTAssertEqual(try JSONDecoder().decode(EmbeddingReport.self, from: i.body),
                       try EmbeddingReport(model: model, images: [("-", image)], texts: []))
    }

    func testSearchByTextAndImage() async throws {
        let model = try XCTUnwrap(ServingFixtures.model.clipModel)
        let scene = try ImageLoader.load(path: ServingFixtures.scene.path)
        let others = [RGBImage](repeating: scene, count: 2).enumerated().map { i, img in
            try! img.resized(width: img.width / (i + 2), height: img.height / (i + 3))
        }
        let images = [scene] + others
        let emb = model.encodeImages(images)
        let matrix = EmbeddingMatrix(paths: ["scene.png", "half.png", "third.png"], dimension: emb[0].count, unnormalized: emb.flatMap { $0 })
        let searcher = try ImageSearcher(matrix: matrix, model: model)
        let s = try await RunningServer(load: { ServedModels(detection: ServingFixtures.model, searcher: searcher) })
        defer { Task { await s.stop() } }
        try await s.waitUntilReady()

        let byImage = try await s.post("/v1/search?top=2", body: ServingFixtures.sceneBytes)
        XCTAssertEqual(byImage.status, 200, byImage.text)
        let hits = try JSONDecoder().decode([SearchHit].self, from: byImage.body)
        XCTAssertEqual(hits, searcher.search(image: scene, k: 2))
        XCTAssertEqual(hits.first?.path, "scene.png")

        let byText = try await s.get("/v1/search?q=\(query("red star"))&top=3")
        XCTAssertEqual(byText.status, 200, byText.text)
        XCTAssertEqual(try JSONDecoder().decode([SearchHit].self, from: byText.body), try searcher.search(text: "red star", k: 3))
        do { let r = try await s.get("/v1/search"); XCTAssertEqual(r.status, 400) }
    }

    func testHealthMetricsPageAndOpenAPIListEveryRoute() async throws {
        let s = try await RunningServer()
        defer { Task { await s.stop() } }
        try await s.waitUntilReady()
        let health = try await s.get("/healthz")
        XCTAssertEqual(health.json?["status"] as? String, "ok")
        XCTAssertEqual(health.json?["model"] as? String, ServingFixtures.model.name)

        let page = try await s.get("/")
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.headers["content-type"]?.hasPrefix("text/html") ?? false)
        XCTAssertTrue(page.text.contains("<svg id=\"overlay\""))
        XCTAssertFalse(page.text.contains("https://"), "the page loads nothing from elsewhere")

        // The committed spec lists exactly the routes the server registers.
        let spec = try await s.get("/openapi.yaml")
        XCTAssertEqual(spec.status, 200)
        XCTAssertEqual(spec.body, try Data(contentsOf: TestFixtures.packageRoot.appendingPathComponent("Sources/Serving/Resources/openapi.yaml")))
        XCTAssertEqual(Set(Self.specRoutes(spec.text)), Set(Routes.endpoints.map { "\($0.method.rawValue) \($0.path)" }))

        _ = try await s.post("/v1/detect?classes=\(query("red star,blue circle"))", body: ServingFixtures.sceneBytes)
        _ = try await s.post("/v1/detect?classes=\(query("blue circle,red star"))", body: ServingFixtures.sceneBytes)
        _ = try await s.get("/nowhere")
        let metrics = try await s.get("/metrics").text
        XCTAssertTrue(metrics.contains(#"clipdetect_http_requests_total{route="/v1/detect",status="200"} 2"#), metrics)
        XCTAssertTrue(metrics.contains(#"clipdetect_http_requests_total{route="other",status="404"} 1"#), metrics)
        XCTAssertTrue(metrics.contains("clipdetect_http_request_duration_seconds_bucket"), metrics)
        XCTAssertTrue(metrics.contains("clipdetect_queue_depth"), metrics)
        XCTAssertTrue(metrics.contains("clipdetect_images_encoded_total 2"), metrics)
        XCTAssertTrue(metrics.contains("clipdetect_crops_encoded_total"), metrics)
        // Second request: the same prompts in another order cost no text encoding.
        let prompts = 2 + ServingFixtures.model.defaultOptions.background.count
        XCTAssertTrue(metrics.contains("clipdetect_text_cache_misses_total \(prompts)"), metrics)
        XCTAssertTrue(metrics.contains("clipdetect_text_cache_hits_total \(prompts)"), metrics)
    }

    /// "METHOD /path" for every operation under `paths:` of an OpenAPI YAML document.
    static func specRoutes(_ yaml: String) -> [String] {
        var routes: [String] = [], path: String?, inPaths = false
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "paths:" { inPaths = true; continue }
            guard inPaths else { continue }
            if !line.hasPrefix(" ") && !line.isEmpty { inPaths = false; continue }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).dropLast())
            } else if let path, line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
                let method = line.trimmingCharacters(in: .whitespaces).dropLast().uppercased()
                if ["GET", "POST", "PUT", "DELETE", "PATCH"].contains(method) { routes.append("\(method) \(path)") }
            }
        }
        return routes
    }
}
