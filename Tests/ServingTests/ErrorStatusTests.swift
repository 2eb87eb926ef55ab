import CLIP
import Detection
import Foundation
import Imaging
@testable import Serving
import TestSupport
import XCTest

/// Every error status the server answers, each as `{"error": "one line"}`, and the server
/// still answering afterwards.
final class ErrorStatusTests: XCTestCase {
    func assertError(_ reply: RunningServer.Reply, _ status: Int, _ fragment: String,
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(reply.status, status, reply.text, file: file, line: line)
        XCTAssertEqual(reply.headers["content-type"], "application/json", file: file, line: line)
        let message = reply.error ?? ""
        XCTAssertTrue(message.contains(fragment), "\"\(message)\" lacks \"\(fragment)\"", file: file, line: line)
        XCTAssertFalse(message.contains("\n"), file: file, line: line)
    }

    func test400BadParameters() async throws {
        let s = try await RunningServer()
        defer { Task { await s.stop() } }
        try await s.waitUntilReady()
        let scene = ServingFixtures.sceneBytes
        assertError(try await s.post("/v1/detect", body: scene), 400, "no classes")
        assertError(try await s.post("/v1/detect?classes=a&conf=2", body: scene), 400, "conf 2 must be")
        assertError(try await s.post("/v1/detect?classes=a&iou=x", body: scene), 400, "iou x must be")
        assertError(try await s.post("/v1/detect?classes=a&max_det=0", body: scene), 400, "max_det 0 must be")
        assertError(try await s.post("/v1/detect?classes=a:7", body: scene), 400, "threshold 7")
        assertError(try await s.post("/v1/detect?classes=a,a", body: scene), 400, "listed twice")
        assertError(try await s.post("/v1/detect?classes=a&format=gif", body: scene), 400, "format gif")
        assertError(try await s.post("/v1/detect?classes=a", body: Data()), 400, "no image")
        assertError(try await s.post("/v1/embed", body: Data("{}".utf8), contentType: "application/json"), 400, "texts")
        assertError(try await s.post("/v1/detect", body: Data("--x\r\n".utf8), contentType: "multipart/form-data"), 400, "boundary")
        do { let r = try await s.post("/v1/detect?classes=a", body: scene); XCTAssertEqual(r.status, 200) }
    }

    func test401APIKey() async throws {
        let s = try await RunningServer(configure: { $0.apiKey = "s3cret" })
        defer { Task { await s.stop() } }
        try await s.waitUntilReady()  // /healthz needs no key
        assertError(try await s.post("/v1/detect?classes=a", body: ServingFixtures.sceneBytes), 401, "missing API key")
        assertError(try await s.post("/v1/detect?classes=a", body: ServingFixtures.sceneBytes, headers: ["Authorization": "Bearer s3cre"]), 401, "wrong API key")
        assertError(try await s.get("/metrics", headers: ["Authorization": "Basic s3cret"]), 401, "wrong API key")
        do { let r = try await s.get("/metrics", headers: ["Authorization": "Bearer s3cret"]); XCTAssertEqual(r.status, 200) }
        do { let r = try await s.post("/v1/detect?classes=a", body: ServingFixtures.sceneBytes, headers: ["Authorization": "Bearer s3cret"]); XCTAssertEqual(r.status, 200) }
        do { let r = try await s.get("/"); XCTAssertEqual(r.status, 200) }
        do { let r = try await s.get("/openapi.yaml"); XCTAssertEqual(r.status, 200) }
    }

    func testConstantTimeCompare() {
        XCTAssertTrue(APIKeyCompare.equal(Array("abc".utf8), Array("abc".utf8)))
        XCTAssertFalse(APIKeyCompare.equal(Array("abc".utf8), Array("abd".utf8)))
        XCTAssertFalse(APIKeyCompare.equal(Array("abc".utf8), Array("abc\0".utf8)))
        XCTAssertFalse(APIKeyCompare.equal([], Array("a".utf8)))
    }

    func test404() async throws {
        let s = try await RunningServer()
        defer { Task { await s.stop() } }
        try await s.waitUntilReady()
        assertError(try await s.get("/v2/detect"), 404, "no such route")
        assertError(try await s.get("/v1/search?q=star"), 404, "no image index")
    }

    func test413BodyAndPixelLimits() async throws {
        let s = try await RunningServer(configure: { $0.maxBodyBytes = 2000; $0.maxPixels = 1000 })
        defer { Task { await s.stop() } }
        try await s.waitUntilReady()
        XCTAssertGreaterThan(ServingFixtures.sceneBytes.count, 2000)
        assertError(try await s.post("/v1/detect?classes=a", body: ServingFixtures.sceneBytes), 413, "larger than the limit")
        // A small PNG (under the body limit) with more pixels than allowed.
        let big = try ImageWriter.encode(RGBImage(width: 100, height: 100, pixels: [UInt8](repeating: 200, count: 30000)), format: .png)
        XCTAssertLessThan(big.count, 2000)
        assertError(try await s.post("/v1/detect?classes=a", body: big), 413, "more than the limit of 1000")
    }

    func test415NotAnImage() async throws {
        let s = try await RunningServer()
        defer { Task { await s.stop() } }
        try await s.waitUntilReady()
        assertError(try await s.post("/v1/detect?classes=a", body: Data("hello, not an image".utf8), contentType: "application/octet-stream"), 415, "not an image file")
        assertError(try await s.post("/v1/detect?classes=a", body: ServingFixtures.sceneBytes.prefix(300), contentType: "image/png"), 415, "corrupt PNG")
        assertError(try await s.post("/v1/detect?classes=a", body: Data("{}".utf8), contentType: "application/json"), 415, "not an image")
        do { let r = try await s.post("/v1/detect?classes=a", body: ServingFixtures.sceneBytes); XCTAssertEqual(r.status, 200) }
    }

    func test429QueueFullWithRetryAfter() async throws {
        let s = try await RunningServer(configure: { $0.workers = 1; $0.maxQueue = 1 })
        defer { Task { await s.stop() } }
        try await s.waitUntilReady()
        s.server.state.pool.delayForTesting = 1.0
        let url = "/v1/detect?classes=a"
        async let first = s.post(url, body: ServingFixtures.sceneBytes)
        async let second = s.post(url, body: ServingFixtures.sceneBytes)
        try await waitFor { s.server.inFlight == 2 }
        let third = try await s.post(url, body: ServingFixtures.sceneBytes)
        assertError(third, 429, "busy")
        XCTAssertEqual(third.headers["retry-after"], "1")
        let (a, b) = try await (first, second)
        XCTAssertEqual([a.status, b.status], [200, 200])
        s.server.state.pool.delayForTesting = 0
        do { let r = try await s.post(url, body: ServingFixtures.sceneBytes); XCTAssertEqual(r.status, 200) }
    }

    func test503WhileLoading() async throws {
        let gate = DispatchSemaphore(value: 0)
        let s = try await RunningServer(load: {
            gate.wait()
            return ServedModels(detection: ServingFixtures.model)
        })
        defer { Task { await s.stop() } }
        assertError(try await s.get("/healthz"), 503, "loading")
        assertError(try await s.post("/v1/detect?classes=a", body: ServingFixtures.sceneBytes), 503, "loading")
        gate.signal()
        try await s.waitUntilReady()
    }

    func testModelLoadFailureStopsTheServer() async throws {
        let s = try await RunningServer(load: { throw ServingError("no model here") })
        let result = await s.stop()
        guard case .failure(let error) = result else { return XCTFail("run should rethrow the load error") }
        XCTAssertEqual("\(error)", "no model here")
    }

    func test504PastTheTimeLimit() async throws {
        let s = try await RunningServer(configure: { $0.workers = 1; $0.requestTimeout = .seconds(2) })
        defer { Task { await s.stop() } }
        try await s.waitUntilReady()
        s.server.state.pool.delayForTesting = 3.0
        assertError(try await s.post("/v1/detect?classes=a", body: ServingFixtures.sceneBytes), 504, "time limit")
        // The pass still ends and gives its worker back.
        try await waitFor { s.server.inFlight == 0 }
        s.server.state.pool.delayForTesting = 0
        do { let r = try await s.post("/v1/embed", body: Data(#"{"texts": ["a"]}"#.utf8), contentType: "application/json"); XCTAssertEqual(r.status, 200) }
    }

    func testConfigurationChecks() {
        var c = ServerConfiguration()
        c.host = "0.0.0.0"
        XCTAssertThrowsError(try c.validate()) { XCTAssertEqual("\($0)", "binding to 0.0.0.0 (not a loopback address) requires an API key") }
        c.apiKey = "k"
        XCTAssertNoThrow(try c.validate())
        XCTAssertTrue(ServerConfiguration.isLoopback("127.0.0.1"))
        XCTAssertTrue(ServerConfiguration.isLoopback("localhost"))
        XCTAssertTrue(ServerConfiguration.isLoopback("::1"))
        XCTAssertFalse(ServerConfiguration.isLoopback("127.0.0.1.example.com"))
        XCTAssertFalse(ServerConfiguration.isLoopback("192.168.1.2"))
        c.workers = 0
        XCTAssertThrowsError(try c.validate())
    }
}

/// Polls `condition` every 10 ms for up to 10 s.
func waitFor(_ condition: () -> Bool, file: StaticString = #filePath, line: UInt = #line) async throws {
    for _ in 0..<1000 {
        if condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    XCTFail("condition not met in 10 s", file: file, line: line)
}
