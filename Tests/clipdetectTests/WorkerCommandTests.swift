import Detection
import Foundation
import TestSupport
import XCTest

/// `clipdetect worker` (the Ray driver's worker) and `clipdetect index --import`, through the
/// built binary.
final class WorkerCommandTests: XCTestCase {
    let model = CLI.fixtureModel()
    var fast: [String] { ["--model", model, "--classes", "red square,green field", "--conf", "0", "--max-proposals", "12"] }

    /// Runs `clipdetect worker ARGS` with `requests` as stdin lines; returns the reply objects.
    func worker(_ args: [String], _ requests: [String], cwd: URL? = nil) throws -> (status: Int32, replies: [[String: Any]], stderr: String) {
        let r = try CLI.run(["worker"] + args, cwd: cwd, stdin: Data(requests.map { $0 + "\n" }.joined().utf8))
        XCTAssertTrue(r.stdout.isEmpty || r.stdout.hasSuffix("\n"), "whole lines only")
        let replies = try r.stdout.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        return (r.status, replies, r.stderr)
    }

    func request(_ op: String, _ path: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: ["op": op, "path": path]), as: UTF8.self)
    }

    func testDetectRepliesAreTheCLIJSONElementsAndFailuresDoNotStopTheWorker() throws {
        let dir = try temporaryFolder(self)
        let a = CLI.packageRoot.appendingPathComponent("examples/scene.png").path
        let b = CLI.packageRoot.appendingPathComponent("Tests/CLIPTests/Fixtures/preprocess/fruits.jpg").path
        let broken = dir.appendingPathComponent("broken.jpg")
        try Data("not a jpeg".utf8).write(to: broken)
        let r = try worker(fast, [request("detect", a), request("detect", dir.appendingPathComponent("missing.png").path),
                                  "this is not json", request("detect", broken.path), "", request("transmogrify", a),
                                  request("detect", b)])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.replies.count, 6, "one reply per non-empty line")
        let cli = try CLI.run([a, b] + fast + ["--json", "-", "--no-save"])
        XCTAssertEqual(cli.status, 0, cli.stderr)
        let expected = try JSONSerialization.jsonObject(with: cli.stdoutData) as! [[String: Any]]
        for (reply, want) in [(r.replies[0], expected[0]), (r.replies[5], expected[1])] {
            let results = reply["results"] as! [[String: Any]]
            XCTAssertEqual(results.count, 1)
            XCTAssertEqual(results[0] as NSDictionary, want as NSDictionary, "the worker's element equals clipdetect --json's")
            XCTAssertNil(reply["error"])
        }
        XCTAssertTrue((r.replies[1]["error"] as! String).contains("missing.png"), "\(r.replies[1])")
        XCTAssertTrue((r.replies[2]["error"] as! String).contains("request line 3"), "\(r.replies[2])")
        XCTAssertTrue((r.replies[3]["error"] as! String).contains("broken.jpg"), "\(r.replies[3])")
        XCTAssertEqual(r.replies[3]["path"] as? String, broken.path)
        XCTAssertTrue((r.replies[4]["error"] as! String).contains("unknown op"), "\(r.replies[4])")
    }

    func testDetectOnAVideoGivesOneElementPerSampledFrameAsTheCLI() throws {
        let dir = try temporaryFolder(self)
        let video = dir.appendingPathComponent("clip.avi")
        let writer = try VideoWriter(path: video.path, fps: VideoCommandTests.fps, width: VideoCommandTests.width, height: VideoCommandTests.height)
        for i in 0..<12 { try writer.write(VideoCommandTests.frame(i, moving: true)) }
        try writer.close()
        let flags = fast + ["--every", "4"]
        let r = try worker(flags, [request("detect", video.path)])
        XCTAssertEqual(r.status, 0, r.stderr)
        let frames = try XCTUnwrap(r.replies.first?["results"] as? [[String: Any]])
        let cli = try CLI.run([video.path] + flags + ["--json-lines", "-", "--no-save"])
        XCTAssertEqual(cli.status, 0, cli.stderr)
        let lines = try cli.stdout.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        XCTAssertEqual(frames.map { $0["frame"] as! Int }, [0, 4, 8])
        XCTAssertEqual(frames.count, lines.count)
        for (f, line) in zip(frames, lines) {
            XCTAssertEqual(f["frame"] as! Int, line["frame"] as! Int)
            XCTAssertEqual(f["timestamp"] as! Double, line["timestamp"] as! Double)
            XCTAssertEqual(f["detections"] as! NSArray, line["detections"] as! NSArray)
            XCTAssertEqual([f["width"] as! Int, f["height"] as! Int], [160, 120])
            XCTAssertEqual(f["image"] as? String, video.path)
        }
    }

    func testEmbedGivesTheIndexRowAndImportThenSearchFindsIt() throws {
        let dir = try temporaryFolder(self)
        let photo = dir.appendingPathComponent("fruits.jpg")
        try FileManager.default.copyItem(at: CLI.packageRoot.appendingPathComponent("Tests/CLIPTests/Fixtures/preprocess/fruits.jpg"), to: photo)
        let r = try worker(["--model", model], [request("embed", "fruits.jpg"), request("detect", "fruits.jpg")], cwd: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let record = try XCTUnwrap(r.replies[0]["record"] as? [String: Any], "\(r.replies)")
        XCTAssertEqual(record["path"] as? String, photo.standardizedFileURL.path, "absolute, as the index stores it")
        let attributes = try FileManager.default.attributesOfItem(atPath: photo.path)
        XCTAssertEqual((record["size"] as! NSNumber).intValue, (attributes[.size] as! NSNumber).intValue)
        XCTAssertEqual(record["dimension"] as? Int, 20)
        let bytes = try XCTUnwrap(Data(base64Encoded: record["embedding"] as! String))
        let embedding = bytes.withUnsafeBytes { raw in (0..<20).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) } }
        let cli = try CLI.run(["embed", "--model", model, "--image", photo.path, "--json"])
        let images = (try JSONSerialization.jsonObject(with: cli.stdoutData) as! [String: Any])["images"] as! [[String: Any]]
        let want = (images[0]["embedding"] as! [NSNumber]).map(\.floatValue)
        for (x, y) in zip(embedding, want) { XCTAssertEqual(x, y, accuracy: 1e-5) }
        XCTAssertTrue((r.replies[1]["error"] as! String).contains("no classes given"), "detect needs classes: \(r.replies[1])")
    }

    func testImportCommandSummaryAndErrors() throws {
        let dir = try temporaryFolder(self)
        let shards = dir.appendingPathComponent("shards")
        try FileManager.default.createDirectory(at: shards, withIntermediateDirectories: true)
        let fixtures = CLI.packageRoot.appendingPathComponent("tools/ray/fixtures")
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("index_shard.parquet"), to: shards.appendingPathComponent("shard-00000.parquet"))
        let index = dir.appendingPathComponent("i.sqlite").path
        let r = try CLI.run(["index", "--import", shards.path, "--index", index, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let summary = try JSONSerialization.jsonObject(with: r.stdoutData) as! [String: Any]
        XCTAssertEqual(summary["imported"] as? Int, 2)
        XCTAssertEqual(summary["failed"] as? Int, 1)
        XCTAssertEqual(summary["skipped"] as? Int, 1)
        XCTAssertTrue(r.stderr.contains("warning: not imported /photos/gone.jpg"), r.stderr)

        assertCleanFailure(try CLI.run(["index", dir.path, "--import", shards.path, "--index", index]), mentions: ["either a folder or --import"])
        assertCleanFailure(try CLI.run(["index", "--import", dir.appendingPathComponent("nope").path, "--index", index]), mentions: ["nope", "no such folder"])
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("unsupported_snappy.parquet"), to: shards.appendingPathComponent("shard-00001.parquet"))
        assertCleanFailure(try CLI.run(["index", "--import", shards.path, "--index", index]), mentions: ["shard-00001.parquet", "compression"])
    }
}
