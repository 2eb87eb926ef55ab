import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TestSupport
import XCTest

/// `clipdetect serve` as a process: argument checks, the listening line, and SIGTERM/SIGINT
/// with requests in flight (they finish, the process exits 0).
final class ServeCommandTests: XCTestCase {
    func testArgumentChecksNameTheFlag() throws {
        assertCleanFailure(try CLI.run(["serve", "--host", "0.0.0.0"], env: ["CLIPDETECT_API_KEY": ""]),
                           mentions: ["--host 0.0.0.0", "--api-key", "CLIPDETECT_API_KEY"])
        assertCleanFailure(try CLI.run(["serve", "--port", "70000"]), mentions: ["--port 70000"])
        assertCleanFailure(try CLI.run(["serve", "--workers", "0"]), mentions: ["--workers 0"])
        assertCleanFailure(try CLI.run(["serve", "--max-body-mb", "0"]), mentions: ["--max-body-mb 0"])
        assertCleanFailure(try CLI.run(["serve", "--index", "/nonexistent/x.sqlite"]), mentions: ["--index /nonexistent/x.sqlite"])
        assertCleanFailure(try CLI.run(["serve", "--model", "/nonexistent/model", "--port", "0"]), mentions: ["/nonexistent/model"])
    }

    func testSIGTERMFinishesRequestsInFlightAndExitsZero() throws {
        try stopWithRequestsInFlight(signal: SIGTERM)
    }

    func testSIGINTToo() throws {
        try stopWithRequestsInFlight(signal: SIGINT)
    }

    private func stopWithRequestsInFlight(signal signo: Int32) throws {
        // Both deadlines stretch under sanitizers (CLIPDETECT_TEST_TIME_SCALE).
        let scale = TestFixtures.timeScale
        let server = try ServeProcess(["--model", "shapes-tiny", "--port", "0", "--workers", "1", "--max-queue", "8",
                                       "--shutdown-timeout", "\(30 * scale)", "--timeout", "\(60 * scale)"])
        defer { server.kill() }
        try server.waitUntilReady()
        let scene = try Data(contentsOf: CLI.packageRoot.appendingPathComponent("examples/scene.png"))
        let group = DispatchGroup()
        final class Statuses: @unchecked Sendable { let lock = NSLock(); var codes: [Int] = [] }
        let statuses = Statuses()
        for _ in 0..<6 {
            group.enter()
            var request = URLRequest(url: URL(string: "\(server.url)/v1/detect?classes=red%20star,blue%20circle")!)
            request.httpMethod = "POST"
            request.timeoutInterval = 60 * scale
            request.httpBody = scene
            request.setValue("image/png", forHTTPHeaderField: "Content-Type")
            URLSession.shared.dataTask(with: request) { _, response, _ in
                statuses.lock.lock()
                statuses.codes.append((response as? HTTPURLResponse)?.statusCode ?? -1)
                statuses.lock.unlock()
                group.leave()
            }.resume()
        }
        // Wait until all six are admitted (waiting, running or answered) — a request still
        // connecting when the signal arrives would rightly be refused — then signal while at
        // least one waits behind the one worker.
        func metric(_ text: String, _ prefix: String) -> Double {
            text.split(separator: "\n").filter { $0.hasPrefix(prefix) }
                .compactMap { Double($0.split(separator: " ").last ?? "") }.reduce(0, +)
        }
        var queued = false
        for _ in 0..<5000 where !queued {
            if let m = try? server.get("/metrics") {
                let waiting = metric(m, "clipdetect_queue_depth ")
                let admitted = waiting + metric(m, "clipdetect_workers_busy ")
                    + metric(m, "clipdetect_http_requests_total{route=\"/v1/detect\",status=\"200\"}")
                queued = admitted >= 6 && waiting >= 1
            }
            if !queued { usleep(2000) }
        }
        XCTAssertTrue(queued, "requests never queued")
        kill(server.process.processIdentifier, signo)
        XCTAssertEqual(group.wait(timeout: .now() + 60 * scale), .success)
        XCTAssertEqual(statuses.codes, [Int](repeating: 200, count: 6))
        server.process.waitUntilExit()
        XCTAssertEqual(server.process.terminationStatus, 0, server.stderr)
        XCTAssertTrue(server.stderr.contains("stopped"), server.stderr)
    }
}

/// A `clipdetect serve` child process and its address, read from its "listening on" line.
final class ServeProcess: @unchecked Sendable {
    let process = Process()
    private(set) var url = ""
    private let errPipe = Pipe()
    private let lock = NSLock()
    private var errData = Data()

    init(_ args: [String], env: [String: String] = [:]) throws {
        process.executableURL = CLI.binary
        process.arguments = ["serve"] + args
        var environment = ProcessInfo.processInfo.environment
        environment["CLIPDETECT_MODELS"] = CLI.packageRoot.appendingPathComponent("models").path
        for (k, v) in env { environment[k] = v }
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = errPipe
        errPipe.fileHandleForReading.readabilityHandler = { [weak self] h in
            let d = h.availableData
            guard let self else { return }
            self.lock.lock(); self.errData += d; self.lock.unlock()
        }
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let d = out.fileHandleForReading.availableData
            if d.isEmpty { throw CLIPTestError("serve exited before listening: \(stderr)") }
            line += d
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: "http://") else { throw CLIPTestError("no address in \(text)") }
        url = String(text[range.lowerBound...].prefix { !$0.isNewline })
    }

    var stderr: String {
        lock.lock(); defer { lock.unlock() }
        return String(decoding: errData, as: UTF8.self)
    }

    func waitUntilReady() throws {
        for _ in 0..<600 {
            if (try? get("/healthz"))?.contains("\"ok\"") == true { return }
            usleep(50_000)
        }
        throw CLIPTestError("serve never became ready: \(stderr)")
    }

    /// The body of GET `path` (any status).
    func get(_ path: String) throws -> String {
        let done = DispatchSemaphore(value: 0)
        final class Box: @unchecked Sendable { var body: String?; var error: (any Error)? }
        let box = Box()
        URLSession.shared.dataTask(with: URL(string: url + path)!) { data, _, error in
            box.body = data.map { String(decoding: $0, as: UTF8.self) }
            box.error = error
            done.signal()
        }.resume()
        done.wait()
        if let e = box.error { throw e }
        return box.body ?? ""
    }

    func kill() {
        if process.isRunning { process.terminate() }
    }
}

struct CLIPTestError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
