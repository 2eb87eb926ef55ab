import CLIP
import Detection
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import Serving
import TestSupport
import XCTest

/// The shipped shapes-tiny model (fast enough to run real detections in tests).
enum ServingFixtures {
    static let shapesTiny = TestFixtures.packageRoot.appendingPathComponent("models/shapes-tiny")
    static let scene = TestFixtures.packageRoot.appendingPathComponent("examples/scene.png")
    static let sceneBytes = try! Data(contentsOf: scene)
    /// Loaded once for every test (loading is read-only; detectors over it are per request).
    static let model: DetectionModel = try! DetectionModel(folder: shapesTiny)
}

/// A real server on a free loopback port, and an HTTP client for it.
final class RunningServer: @unchecked Sendable {
    let server: DetectionServer
    let port: Int
    private let task: Task<Result<Void, any Error>, Never>

    /// Starts a server over `load` (default: shapes-tiny, already loaded) with `configure`
    /// applied to a test configuration (port 0, no signal handling, 2 workers).
    init(configure: (inout ServerConfiguration) -> Void = { _ in },
         load: @escaping @Sendable () throws -> ServedModels = { ServedModels(detection: ServingFixtures.model) }) async throws {
        var config = ServerConfiguration()
        config.port = 0
        config.handlesSignals = false
        config.workers = 2
        config.shutdownTimeout = .seconds(20 * TestFixtures.timeScale)
        configure(&config)
        let server = try DetectionServer(configuration: config, load: load)
        self.server = server
        task = Task { do { try await server.run(); return .success(()) } catch { return .failure(error) } }
        port = try await server.port()
    }

    /// Waits until /healthz answers 200.
    func waitUntilReady(file: StaticString = #filePath, line: UInt = #line) async throws {
        for _ in 0..<200 {
            if try await get("/healthz").status == 200 { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        XCTFail("server not ready", file: file, line: line)
    }

    /// Shuts down and waits for `run` to return; its result.
    @discardableResult
    func stop() async -> Result<Void, any Error> {
        server.shutdown()
        return await task.value
    }

    var url: String { "http://127.0.0.1:\(port)" }

    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: Data
        var json: [String: Any]? { try? JSONSerialization.jsonObject(with: body) as? [String: Any] }
        var error: String? { json?["error"] as? String }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    func get(_ path: String, headers: [String: String] = [:]) async throws -> Reply {
        try await send("GET", path, body: nil, headers: headers)
    }

    func post(_ path: String, body: Data, contentType: String? = "image/png", headers: [String: String] = [:]) async throws -> Reply {
        var h = headers
        if let contentType { h["Content-Type"] = contentType }
        return try await send("POST", path, body: body, headers: h)
    }

    /// POSTs a multipart/form-data body with an `image` file part and text `fields`.
    func postMultipart(_ path: String, image: Data, fileName: String = "scene.png", fields: [String: String],
                       headers: [String: String] = [:]) async throws -> Reply {
        let boundary = "----clipdetect-test-\(UUID().uuidString)"
        var body = Data()
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"image\"; filename=\"\(fileName)\"\r\nContent-Type: image/png\r\n\r\n".utf8)
        body += image
        body += Data("\r\n--\(boundary)--\r\n".utf8)
        return try await post(path, body: body, contentType: "multipart/form-data; boundary=\(boundary)", headers: headers)
    }

    func send(_ method: String, _ path: String, body: Data?, headers: [String: String]) async throws -> Reply {
        var request = URLRequest(url: URL(string: url + path)!)
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = 60 * TestFixtures.timeScale
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        return try await withCheckedThrowingContinuation { c in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error { return c.resume(throwing: error) }
                let http = response as! HTTPURLResponse
                var h: [String: String] = [:]
                for (k, v) in http.allHeaderFields { h[String(describing: k).lowercased()] = String(describing: v) }
                c.resume(returning: Reply(status: http.statusCode, headers: h, body: data ?? Data()))
            }.resume()
        }
    }
}

/// Percent-encodes a query value (spaces, commas kept readable by the server's decoder).
func query(_ value: String) -> String {
    value.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
}
