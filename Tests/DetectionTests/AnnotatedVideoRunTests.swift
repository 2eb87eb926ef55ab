import CLIP
import Foundation
@testable import Detection
import TestSupport
import XCTest

/// `AnnotatedVideoRun`: the annotated video and JSON lines of one run, all or nothing.
final class AnnotatedVideoRunTests: XCTestCase {
    func makeRunner(maxFrames: Int? = nil) throws -> VideoDetector {
        var options = DetectorOptions()
        options.confidence = 0
        options.proposals.maxProposals = 6
        let detector = try Detector(model: try DetectionFixtures.tinyModel(), options: options)
        try detector.setClasses(["red square", "green field"])
        var video = VideoOptions()
        video.every = 4
        video.maxFrames = maxFrames
        return try VideoDetector(detector: detector, options: video)
    }

    func testWritesTheVideoAndOneJSONLinePerDetectedFrameUnderTheFinalNames() throws {
        let dir = try temporaryFolder(self)
        let input = dir.appendingPathComponent("clip.avi")
        try SyntheticVideo.write(to: input, count: 12)
        let out = dir.appendingPathComponent("out.mp4").path, lines = dir.appendingPathComponent("out.jsonl").path
        let run = try AnnotatedVideoRun(detector: try makeRunner(), video: out, jsonLines: .file(lines))
        XCTAssertEqual(run.temporaries.count, 2)
        var detected: [Int] = []
        let report = try run.run(try VideoReader(path: input.path)) { event in
            if case .detected(let frame) = event { detected.append(frame) }
        }
        XCTAssertEqual(detected, [0, 4, 8])
        XCTAssertEqual(report.outputs, [out, lines])
        XCTAssertEqual(report.lastFrame, 11)
        XCTAssertEqual(report.fps, SyntheticVideo.fps)
        XCTAssertEqual(report.summary.framesProcessed, 3)
        let records = try String(contentsOfFile: lines, encoding: .utf8).split(separator: "\n")
            .map { try JSONDecoder().decode(VideoFrameDetections.self, from: Data($0.utf8)) }
        XCTAssertEqual(records.map(\.frame), [0, 4, 8])
        let reader = try VideoReader(path: out)
        var frames = 0
        while let event = try reader.next() { if case .frame = event { frames += 1 } }
        XCTAssertEqual(frames, 12, "every frame of the range is in the annotated video")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), ["clip.avi", "out.jsonl", "out.mp4"],
                       "no temporaries left")
    }

    func testStoppingEarlyKeepsCompleteOutputs() throws {
        let dir = try temporaryFolder(self)
        let input = dir.appendingPathComponent("clip.avi")
        try SyntheticVideo.write(to: input, count: 12)
        let lines = dir.appendingPathComponent("early.jsonl").path
        let run = try AnnotatedVideoRun(detector: try makeRunner(), video: nil, jsonLines: .file(lines))
        var seen = 0
        let report = try run.run(try VideoReader(path: input.path), shouldContinue: { seen += 1; return seen < 5 })
        XCTAssertTrue(report.summary.stopped)
        XCTAssertEqual(report.lastFrame, 4)
        XCTAssertEqual(try String(contentsOfFile: lines, encoding: .utf8).split(separator: "\n").count, 2, "frames 0 and 4")
    }

    func testAnUnsupportedExtensionFailsBeforeAnyWorkAndAFailedRunLeavesNothing() throws {
        let dir = try temporaryFolder(self)
        XCTAssertThrowsError(try AnnotatedVideoRun(detector: try makeRunner(), video: dir.appendingPathComponent("x.gif").path, jsonLines: nil)) {
            XCTAssertTrue("\($0)".contains("unsupported video extension"), "\($0)")
        }
        let input = dir.appendingPathComponent("clip.avi")
        try SyntheticVideo.write(to: input, count: 3)
        // The video's temporary is created, then the JSON lines file cannot be (no such folder).
        let run = try AnnotatedVideoRun(detector: try makeRunner(), video: dir.appendingPathComponent("o.avi").path,
                                        jsonLines: .file(dir.appendingPathComponent("missing/o.jsonl").path))
        XCTAssertThrowsError(try run.run(try VideoReader(path: input.path))) {
            XCTAssertTrue("\($0)".contains("cannot create the JSON lines file"), "\($0)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["clip.avi"], "the video temporary is removed")
    }
}
