import Detection
import Foundation
@testable import Serving
import TestSupport
import XCTest

/// Several clients at once, and a graceful shutdown with requests in flight.
final class ConcurrencyTests: XCTestCase {
    func testConcurrentClientsGetTheSameAnswer() async throws {
        let s = try await RunningServer(configure: { $0.workers = 2; $0.maxQueue = 32 })
        defer { Task { await s.stop() } }
        try await s.waitUntilReady()
        let url = "/v1/detect?classes=\(query("red star,blue circle,green triangle"))"
        let replies = try await withThrowingTaskGroup(of: RunningServer.Reply.self) { group in
            for i in 0..<16 {
                group.addTask {
                    i % 2 == 0 ? try await s.post(url, body: ServingFixtures.sceneBytes)
                               : try await s.postMultipart(url, image: ServingFixtures.sceneBytes, fileName: "-", fields: [:])
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(replies.map(\.status), [Int](repeating: 200, count: 16))
        let decoded = try replies.map { try JSONDecoder().decode(ImageDetections.self, from: $0.body) }
        XCTAssertEqual(Set(decoded.map(\.detections.count)).count, 1)
        for d in decoded { XCTAssertEqual(d, decoded[0]) }
        // A request leaves the in-flight count just after its answer is written.
        try await waitFor { s.server.inFlight == 0 }
    }

    /// A pass still running when the shutdown deadline cancels its request: `run` returns only
    /// after it ends (exiting under it crashed in OpenBLAS's exit-time clean-up).
    func testRunReturnsOnlyAfterThePassCancelledAtTheDeadlineEnds() async throws {
        let s = try await RunningServer(configure: { $0.workers = 1; $0.shutdownTimeout = .milliseconds(300) })
        try await s.waitUntilReady()
        s.server.state.pool.delayForTesting = 2
        let request = Task { try? await s.post("/v1/detect?classes=\(query("red star"))", body: ServingFixtures.sceneBytes) }
        try await waitFor { s.server.state.pool.busyWorkers == 1 }
        let started = ContinuousClock.now
        _ = await s.stop()
        XCTAssertEqual(s.server.inFlight, 0, "run returned while the pass still ran")
        XCTAssertGreaterThan(ContinuousClock.now - started, .seconds(1))
        _ = await request.value
    }

    func testGracefulShutdownFinishesRequestsInFlight() async throws {
        let s = try await RunningServer(configure: { $0.workers = 1; $0.maxQueue = 4 })
        try await s.waitUntilReady()
        s.server.state.pool.delayForTesting = 0.5
        let url = "/v1/detect?classes=\(query("red star"))"
        let inFlight = (0..<3).map { _ in Task { try await s.post(url, body: ServingFixtures.sceneBytes) } }
        try await waitFor { s.server.inFlight == 3 }
        let stopped = Task { await s.stop() }
        for t in inFlight {
            let reply = try await t.value
            XCTAssertEqual(reply.status, 200, reply.text)
        }
        guard case .success = await stopped.value else { return XCTFail("run should return normally") }
        // Nothing listens any more.
        do {
            let late = try await s.get("/healthz")
            XCTFail("answered \(late.status) after shutdown")
        } catch {}
    }
}
