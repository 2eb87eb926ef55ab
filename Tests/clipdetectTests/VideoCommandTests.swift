import CLIP
import Detection
import Foundation
import Imaging
import TestSupport
import XCTest

/// `clipdetect VIDEO …` end to end through the binary, on synthetic videos written at test
/// time with the library's writer and the tiny random-weight fixture model.
final class VideoCommandTests: XCTestCase {
    let model = CLI.fixtureModel()
    static let width = 160, height = 120, fps = 10.0

    /// A red 40×40 square moving 2 px right per frame on green (or standing still).
    static func frame(_ i: Int, moving: Bool) -> RGBImage {
        var image = RGBImage(width: width, height: height, fill: (40, 120, 40))
        let x0 = 10 + (moving ? 2 * i : 0)
        for y in 40..<80 {
            for x in x0..<(x0 + 40) {
                let p = (y * width + x) * 3
                image.pixels[p] = 230; image.pixels[p + 1] = 20; image.pixels[p + 2] = 20
            }
        }
        return image
    }

    @discardableResult
    func writeVideo(_ url: URL, frames: Int = 40, moving: Bool = true) throws -> URL {
        let writer = try VideoWriter(path: url.path, fps: Self.fps, width: Self.width, height: Self.height)
        for i in 0..<frames { try writer.write(Self.frame(i, moving: moving)) }
        try writer.close()
        return url
    }

    func jsonLines(_ url: URL) throws -> [[String: Any]] {
        let text = try String(contentsOf: url, encoding: .utf8)
        XCTAssertTrue(text.hasSuffix("\n"), "every line complete")
        return try text.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }

    func frameCount(_ path: String) throws -> Int {
        let reader = try VideoReader(path: path)
        var n = 0
        while let e = try reader.next() { if case .frame = e { n += 1 } }
        return n
    }

    var fast: [String] { ["--model", model, "--classes", "red square,green field", "--conf", "0", "--max-proposals", "12"] }

    func testVideoGetsAnAnnotatedVideoAndOneJSONLinePerDetectedFrame() throws {
        let dir = try temporaryFolder(self)
        let input = try writeVideo(dir.appendingPathComponent("clip.avi"))
        let r = try CLI.run([input.path] + fast + ["--every", "3", "--json-lines", "out.jsonl"], cwd: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = try jsonLines(dir.appendingPathComponent("out.jsonl"))
        XCTAssertEqual(lines.map { $0["frame"] as! Int }, Array(stride(from: 0, to: 40, by: 3)))
        for line in lines {
            XCTAssertEqual(Set(line.keys), ["frame", "timestamp", "detections"])
            XCTAssertEqual(line["timestamp"] as! Double, Double(line["frame"] as! Int) / 10, accuracy: 1e-9)
            let dets = line["detections"] as! [[String: Any]]
            XCTAssertFalse(dets.isEmpty)
            for d in dets { XCTAssertEqual(Set(d.keys), ["label", "class_id", "score", "box"], "no track_id without --track") }
        }
        let raw = try String(contentsOf: dir.appendingPathComponent("out.jsonl"), encoding: .utf8)
        XCTAssertTrue(raw.hasPrefix("{\"frame\":0,\"timestamp\":0,\"detections\":["), "documented key order: \(raw.prefix(60))")
        let output = dir.appendingPathComponent("clip_detections.mp4").path
        let reader = try VideoReader(path: output)
        XCTAssertEqual([reader.info.width, reader.info.height], [160, 120])
        XCTAssertEqual(reader.info.fps ?? 0, 10, accuracy: 1e-6, "input frame rate")
        XCTAssertEqual(try frameCount(output), 40, "full rate: every input frame is in the output")
        XCTAssertTrue(r.stdout.contains("40 frames read, 14 detected, 0 corrupt skipped"), r.stdout)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".") }, [],
                       "no temporaries left")
    }

    func testAVIOutputAndFPSSamplingAndStartDuration() throws {
        let dir = try temporaryFolder(self)
        let input = try writeVideo(dir.appendingPathComponent("clip.mp4"))
        let r = try CLI.run([input.path] + fast + ["--fps", "2", "--start", "1", "--duration", "2",
                                                   "--output", "boxes.avi", "--json-lines", "out.jsonl"], cwd: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        // Frames 10…29 at 10 fps; 2 per second → 10, 15, 20, 25.
        XCTAssertEqual(try jsonLines(dir.appendingPathComponent("out.jsonl")).map { $0["frame"] as! Int }, [10, 15, 20, 25])
        XCTAssertEqual(try frameCount(dir.appendingPathComponent("boxes.avi").path), 20)
    }

    func testTrackAddsTrackIdsThatStayStableForTheMovingSquare() throws {
        let dir = try temporaryFolder(self)
        let input = try writeVideo(dir.appendingPathComponent("clip.avi"))
        // Example-picture classes make even random weights find the square (near-identical
        // pictures embed alike); one detection per frame, whatever its class.
        let square = dir.appendingPathComponent("square.png"), field = dir.appendingPathComponent("field.png")
        try cropPNG(Self.frame(0, moving: true), x: 4, y: 34, side: 52, to: square)
        try cropPNG(Self.frame(0, moving: true), x: 100, y: 0, side: 60, to: field)
        let r = try CLI.run([input.path, "--model", model, "--class-image", "square=\(square.path)",
                             "--class-image", "field=\(field.path)", "--background", "", "--conf", "0", "--max-proposals", "12",
                             "--agnostic-nms", "--max-det", "1", "--every", "2", "--track", "--no-save",
                             // the exemplars are cut with this context: pin it rather than follow defaults
                             "--context", "0.15", "--iou", "0.5",
                             "--json-lines", "out.jsonl"], cwd: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = try jsonLines(dir.appendingPathComponent("out.jsonl"))
        XCTAssertEqual(lines.count, 20)
        XCTAssertEqual((lines[0]["detections"] as! [Any]).count, 0, "a track is reported from its second frame")
        var ids = Set<Int>()
        for line in lines.dropFirst() {
            let dets = line["detections"] as! [[String: Any]]
            XCTAssertEqual(dets.count, 1, "frame \(line["frame"]!)")
            guard let d = dets.first else { continue }
            XCTAssertEqual(d["label"] as? String, "square")
            ids.insert(d["track_id"] as! Int)
            let box = d["box"] as! [Double], x = Double(10 + 2 * (line["frame"] as! Int))
            XCTAssertLessThan(abs((box[0] + box[2]) / 2 - (x + 20)), 12, "box centre follows the square: \(box)")
        }
        XCTAssertEqual(ids, [1])
    }

    func cropPNG(_ image: RGBImage, x: Int, y: Int, side: Int, to url: URL) throws {
        var out = RGBImage(width: side, height: side, fill: (0, 0, 0))
        for r in 0..<side { for c in 0..<side { for k in 0..<3 {
            out.pixels[(r * side + c) * 3 + k] = image.pixels[((y + r) * image.width + x + c) * 3 + k]
        } } }
        try ImageWriter.write(out, to: url.path)
    }

    func testTruncatedVideoProcessesTheReadableFramesAndSaysSo() throws {
        let dir = try temporaryFolder(self)
        let full = try writeVideo(dir.appendingPathComponent("full.avi"))
        let data = try Data(contentsOf: full)
        try data.prefix(data.count / 2).write(to: dir.appendingPathComponent("cut.avi"))
        let r = try CLI.run([dir.appendingPathComponent("cut.avi").path] + fast + ["--json-lines", "out.jsonl"], cwd: dir)
        XCTAssertEqual(r.status, 0, "what can be read is processed: \(r.stderr)")
        let lines = try jsonLines(dir.appendingPathComponent("out.jsonl"))
        XCTAssertGreaterThan(lines.count, 5)
        XCTAssertLessThan(lines.count, 40)
        XCTAssertEqual(lines.map { $0["frame"] as! Int }, Array(0..<lines.count))
        XCTAssertTrue(r.stderr.contains("ends early") && r.stderr.contains("of 40 frames could be read"), r.stderr)
        XCTAssertTrue(r.stdout.contains("file ends early"), r.stdout)
        XCTAssertEqual(try frameCount(dir.appendingPathComponent("cut_detections.mp4").path), lines.count)
    }

    func testCorruptFrameIsSkippedCountedAndTheOutputKeepsItsLength() throws {
        let dir = try temporaryFolder(self)
        let clean = try writeVideo(dir.appendingPathComponent("clean.avi"))
        var bytes = [UInt8](try Data(contentsOf: clean))
        let sois = (0..<(bytes.count - 2)).filter { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xD8 && bytes[$0 + 2] == 0xFF }
        for i in (sois[7] + 2)..<((sois[7] + sois[8]) / 2) { bytes[i] = UInt8(truncatingIfNeeded: i &* 37) }
        try Data(bytes).write(to: dir.appendingPathComponent("bad.avi"))
        let r = try CLI.run([dir.appendingPathComponent("bad.avi").path] + fast + ["--json-lines", "out.jsonl"], cwd: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("39 frames read, 39 detected, 1 corrupt skipped"), r.stdout)
        XCTAssertTrue(r.stderr.contains("frame 7 skipped"), r.stderr)
        XCTAssertEqual(try jsonLines(dir.appendingPathComponent("out.jsonl")).map { $0["frame"] as! Int }, (0..<40).filter { $0 != 7 })
        XCTAssertEqual(try frameCount(dir.appendingPathComponent("bad_detections.mp4").path), 40, "the bad frame shows the previous one")
    }

    func testNoReuseGivesTheSameDetectionsOnAStaticVideoAndReuseSavesEncodes() throws {
        let dir = try temporaryFolder(self)
        let input = try writeVideo(dir.appendingPathComponent("static.avi"), frames: 12, moving: false)
        let a = try CLI.run([input.path] + fast + ["--every", "2", "--no-save", "--json-lines", "reuse.jsonl"], cwd: dir)
        let b = try CLI.run([input.path] + fast + ["--every", "2", "--no-save", "--no-reuse", "--json-lines", "fresh.jsonl"], cwd: dir)
        XCTAssertEqual(a.status, 0, a.stderr)
        XCTAssertEqual(b.status, 0, b.stderr)
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("reuse.jsonl")),
                       try Data(contentsOf: dir.appendingPathComponent("fresh.jsonl")), "byte-identical JSON lines")
        // 6 detected frames × 12 proposals at most: the first frame's crops are encoded, the rest reused.
        let reused = try XCTUnwrap(a.stdout.range(of: #"(\d+) encoded, (\d+) reused"#, options: .regularExpression).map { String(a.stdout[$0]) })
        let numbers = reused.split(separator: " ").compactMap { Int($0) }
        XCTAssertEqual(numbers[1], numbers[0] * 5, a.stdout)
        XCTAssertTrue(b.stdout.contains(" 0 reused"), b.stdout)
    }

    func testCtrlCStopsAfterTheCurrentFrameWithAPlayableVideoAndCompleteLines() throws {
        try assertStopsCleanly(signal: { $0.interrupt() }, status: 130)
    }

    func testSIGTERMStopsAsCleanlyAsCtrlC() throws {
        try assertStopsCleanly(signal: { $0.terminate() }, status: 143)
    }

    func assertStopsCleanly(signal: (Process) -> Void, status: Int32, line: UInt = #line) throws {
        let dir = try temporaryFolder(self)
        let input = try writeVideo(dir.appendingPathComponent("long.avi"), frames: 400)
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = [input.path] + fast + ["--max-proposals", "40", "--no-reuse", "--json-lines", "out.jsonl", "--output", "out.mp4"]
        p.currentDirectoryURL = dir
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        // Wait for a few complete lines in the temporary JSON lines file, then signal.
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, p.isRunning {
            let temps = (try? FileManager.default.contentsOfDirectory(atPath: dir.path))?.filter { $0.hasPrefix(".out.partial") && $0.hasSuffix(".jsonl") } ?? []
            if let t = temps.first, let d = FileManager.default.contents(atPath: dir.appendingPathComponent(t).path),
               d.filter({ $0 == 0x0A }).count >= 3 { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTAssertTrue(p.isRunning, "still running when signalled", line: line)
        signal(p)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, status, stderr, line: line)
        XCTAssertTrue(stderr.contains("interrupted after frame"), stderr, line: line)
        let lines = try jsonLines(dir.appendingPathComponent("out.jsonl"))
        XCTAssertGreaterThanOrEqual(lines.count, 3, line: line)
        XCTAssertLessThan(lines.count, 400, line: line)
        XCTAssertEqual(try frameCount(dir.appendingPathComponent("out.mp4").path), lines.count, "playable, one frame per detected frame", line: line)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".") }, [], line: line)
    }

    func testBadVideoArgumentsFailWithOneLineAndLeaveNoFiles() throws {
        let dir = try temporaryFolder(self)
        let input = try writeVideo(dir.appendingPathComponent("clip.avi"), frames: 5)
        let notVideo = dir.appendingPathComponent("notes.mp4")
        try Data("hello".utf8).write(to: notVideo)
        let cases: [([String], [String])] = [
            ([dir.appendingPathComponent("missing.mp4").path] + fast, ["missing.mp4", "no such file"]),
            ([notVideo.path] + fast, ["notes.mp4", "cannot open video"]),
            ([input.path] + fast + ["--every", "0"], ["--every 0"]),
            ([input.path] + fast + ["--every", "2", "--fps", "3"], ["--every and --fps"]),
            ([input.path] + fast + ["--output", "out.gif"], ["out.gif", "unsupported video extension"]),
            ([input.path] + fast + ["--start", "60"], ["--start", "past the end"]),
            ([input.path] + fast + ["--json", "x.json"], ["--json-lines"]),
            ([input.path, input.path] + fast, ["one input at a time"]),
            ([dir.appendingPathComponent("photo.png").path] + fast, ["--json-lines is for videos", "--json"]),
        ]
        for (args, fragments) in cases {
            let r = try CLI.run(args + ["--json-lines", "out.jsonl"], cwd: dir)
            assertCleanFailure(r, mentions: fragments)
        }
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)), ["clip.avi", "notes.mp4"])
    }
}
