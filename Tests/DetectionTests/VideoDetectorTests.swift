import CLIP
@testable import Detection
import TestSupport
import XCTest

final class VideoDetectorTests: XCTestCase {
    /// A detector on the tiny fixture model with few proposals, so a 40-frame video runs fast.
    func makeDetector() throws -> Detector {
        var options = DetectorOptions()
        options.confidence = 0
        options.proposals.maxProposals = 12
        let detector = try Detector(model: try DetectionFixtures.tinyModel(), options: options)
        try detector.setClasses(["red square", "green field"])
        return detector
    }

    func video(_ test: XCTestCase, moving: Bool = true, count: Int = SyntheticVideo.frames) throws -> URL {
        let url = try temporaryFolder(test).appendingPathComponent("clip.avi")
        try SyntheticVideo.write(to: url, count: count, moving: moving)
        return url
    }

    func collect(_ runner: VideoDetector, _ url: URL) throws -> (frames: [VideoDetector.Frame], summary: VideoSummary) {
        var frames: [VideoDetector.Frame] = []
        let summary = try runner.run(try VideoReader(path: url.path)) { step in
            if case .frame(let f) = step { frames.append(f) }
            return true
        }
        return (frames, summary)
    }

    // MARK: frame selection

    func testEveryNthFrameFromTheStartOfTheRange() {
        var o = VideoOptions()
        o.every = 5
        o.start = 1.2      // frame 12 at 10 fps
        o.duration = 2     // 20 frames: 12…31
        let s = FrameSelection(options: o, fps: 10)
        XCTAssertEqual(s.firstFrame, 12)
        XCTAssertEqual(s.endFrame, 32)
        XCTAssertEqual((0..<40).filter(s.isSampled).filter { $0 < 32 }, [12, 17, 22, 27])
        XCTAssertEqual(s.sampledCount(frameCount: 40), 4)
        XCTAssertEqual(s.timestamp(ofFrame: 17), 1.7, accuracy: 1e-12)
    }

    func testTargetFPSTakesTheFirstFrameAtOrAfterEachSlot() {
        var o = VideoOptions()
        o.targetFPS = 4
        let s = FrameSelection(options: o, fps: 10)
        // Slots at 0, 0.25, 0.5, 0.75, 1.0 s → frames 0, 3 (0.3 s), 5, 8, 10.
        XCTAssertEqual((0..<11).filter(s.isSampled), [0, 3, 5, 8, 10])
        XCTAssertEqual(s.sampledCount(frameCount: 11), 5)
        o.targetFPS = 30  // faster than the source: every frame
        XCTAssertEqual((0..<5).filter(FrameSelection(options: o, fps: 10).isSampled), [0, 1, 2, 3, 4])
    }

    func testOptionsAreValidatedWithThePropertyName() {
        for (change, flag) in [({ (o: inout VideoOptions) in o.every = 0 }, "every 0"), ({ $0.targetFPS = 0 }, "targetFPS"),
                               ({ $0.start = -1 }, "start"), ({ $0.duration = 0 }, "duration"), ({ $0.maxFrames = 0 }, "maxFrames")] {
            var o = VideoOptions()
            change(&o)
            XCTAssertThrowsError(try o.validate()) {
                XCTAssertTrue("\($0)".hasPrefix(flag), "\($0)")
                XCTAssertFalse("\($0)".contains("--"), "library errors name no CLI flag: \($0)")
            }
        }
    }

    // MARK: proposals with reuse

    func testPreferredProposalsMatchTheGeneratorAndAnUnchangedFrameGetsItsBoxesBack() throws {
        let image = DetectionFixtures.scene(width: 320, height: 240, rects: [
            (x: 20, y: 30, w: 60, h: 50, rgb: (200, 30, 30)), (x: 150, y: 100, w: 90, h: 70, rgb: (30, 30, 200)),
            (x: 250, y: 20, w: 40, h: 160, rgb: (240, 240, 40)), (x: 60, y: 150, w: 70, h: 60, rgb: (20, 160, 20)),
        ])
        var options = ProposalOptions()
        options.maxProposals = 30
        let generator = ProposalGenerator(options: options)
        let plain = try generator.proposals(for: image)
        XCTAssertEqual(try generator.proposals(for: image) { _ in false }, plain, "nothing preferred: the generator's boxes")
        let chosen = Set(plain)
        XCTAssertEqual(try generator.proposals(for: image) { chosen.contains($0) }, plain,
                       "last frame's boxes preferred on the same pixels: the same boxes in the same order")
        let others = try generator.proposals(for: image) { !chosen.contains($0) }
        XCTAssertEqual(others.count, 30)
        XCTAssertEqual(others[0], Box(x1: 0, y1: 0, x2: 320, y2: 240), "the whole image stays first")
        XCTAssertNotEqual(Set(others), chosen, "preferring other candidates changes which survive the cap")
    }

    // MARK: the frame loop

    func testEveryFrameIsDeliveredAndSkippedFramesCarryTheLastDetections() throws {
        var o = VideoOptions()
        o.every = 3
        let runner = try VideoDetector(detector: try makeDetector(), options: o)
        let (frames, summary) = try collect(runner, try video(self))
        XCTAssertEqual(frames.map(\.index), Array(0..<40))
        XCTAssertEqual(frames.filter(\.processed).map(\.index), Array(stride(from: 0, to: 40, by: 3)))
        XCTAssertEqual(summary.framesProcessed, 14)
        XCTAssertEqual(summary.framesRead, 40)
        XCTAssertEqual(runner.expectedDetections(for: try VideoReader(path: try video(self).path).info), 14)
        for f in frames {
            XCTAssertEqual(f.timestamp, Double(f.index) / 10, accuracy: 1e-12)
            if !f.processed { XCTAssertEqual(f.detections, frames[f.index - f.index % 3].detections, "frame \(f.index)") }
        }
        XCTAssertFalse(frames[0].detections.isEmpty, "--conf 0 keeps boxes")
    }

    func testMaxFramesStopsBeforeTheNextSampledFrameAndFalseStopsAtOnce() throws {
        var o = VideoOptions()
        o.every = 4
        o.maxFrames = 3
        let (frames, summary) = try collect(try VideoDetector(detector: try makeDetector(), options: o), try video(self))
        XCTAssertEqual(frames.map(\.index), Array(0..<12), "frames 0…11: three samples and the frames they cover")
        XCTAssertEqual(summary.framesProcessed, 3)
        XCTAssertFalse(summary.stopped)

        let runner = try VideoDetector(detector: try makeDetector())
        var seen = 0
        let stopped = try runner.run(try VideoReader(path: try video(self).path)) { _ in
            seen += 1
            return seen < 5
        }
        XCTAssertEqual(seen, 5)
        XCTAssertTrue(stopped.stopped)
        XCTAssertEqual(stopped.framesProcessed, 5)
    }

    func testWithoutReuseEachFrameMatchesDetectorDetect() throws {
        var o = VideoOptions()
        o.reuse = nil
        o.every = 7
        let detector = try makeDetector()
        let runner = try VideoDetector(detector: detector, options: o)
        let (frames, summary) = try collect(runner, try video(self))
        for f in frames where f.processed {
            XCTAssertEqual(f.detections, try detector.detect(f.image), "frame \(f.index)")
        }
        XCTAssertEqual(summary.encodesSaved, 0)
        XCTAssertEqual(summary.encodesMade, summary.timings.cropCount)
    }

    func testReuseOnAStaticVideoSavesEncodesAndGivesIdenticalDetections() throws {
        let url = try video(self, moving: false, count: 12)
        var withReuse = VideoOptions()
        withReuse.every = 2
        var without = withReuse
        without.reuse = nil
        let detector = try makeDetector()
        let (a, sa) = try collect(try VideoDetector(detector: detector, options: withReuse), url)
        let (b, sb) = try collect(try VideoDetector(detector: detector, options: without), url)
        XCTAssertEqual(a.count, 12)
        XCTAssertEqual(a.map(\.detections), b.map(\.detections), "identical frames, identical detections")
        let perFrame = sb.encodesMade / sb.framesProcessed
        XCTAssertEqual(sa.encodesMade, perFrame, "only the first detected frame is encoded")
        XCTAssertEqual(sa.encodesSaved, perFrame * (sa.framesProcessed - 1))
        XCTAssertEqual(sa.encodesMade + sa.encodesSaved, sb.encodesMade)
    }

    func testReuseOnAMovingShapeReencodesSomeCropsAndReusesOthers() throws {
        let url = try video(self)
        var withReuse = VideoOptions()
        withReuse.every = 4
        var without = withReuse
        without.reuse = nil
        let detector = try makeDetector()
        let (a, sa) = try collect(try VideoDetector(detector: detector, options: withReuse), url)
        let (b, _) = try collect(try VideoDetector(detector: detector, options: without), url)
        XCTAssertGreaterThan(sa.encodesSaved, 0, "background crops are reused")
        XCTAssertGreaterThan(sa.encodesMade, sa.framesProcessed, "crops over the moving square are re-encoded")
        for (x, y) in zip(a, b) where x.processed && x.index > 0 {
            XCTAssertFalse(x.detections.isEmpty, "frame \(x.index)")
            XCTAssertFalse(y.detections.isEmpty, "frame \(y.index)")
        }
        XCTAssertEqual(a.first?.detections, b.first?.detections, "the first frame has nothing to reuse")
    }

    func testTrackingFollowsTheMovingSquareWithOneStableId() throws {
        // Random weights know no words, but near-identical pictures still embed alike: the
        // classes are example pictures (the square with its context, and plain field), so the
        // best box is the one around the square, wherever it has moved.
        var options = DetectorOptions()
        options.confidence = 0
        options.background = []
        options.agnosticNMS = true
        options.maxDetections = 1
        options.proposals.maxProposals = 12
        // The exemplar below is cut with this context, so pin it (and NMS) rather than follow defaults.
        options.contextMargin = 0.15
        options.iouThreshold = 0.5
        let detector = try Detector(model: try DetectionFixtures.tinyModel(), options: options)
        let frame0 = SyntheticVideo.frame(0)
        let crop = { (b: Box) -> RGBImage in
            var img = RGBImage(width: Int(b.width), height: Int(b.height), fill: (0, 0, 0))
            for y in 0..<img.height { for x in 0..<img.width { for c in 0..<3 {
                img.pixels[(y * img.width + x) * 3 + c] = frame0.pixels[((y + Int(b.y1)) * frame0.width + x + Int(b.x1)) * 3 + c]
            } } }
            return img
        }
        try detector.setClasses([ClassSpec("square", source: .exemplar(crop(Box(x1: 4, y1: 34, x2: 56, y2: 86)))),
                                 ClassSpec("field", source: .exemplar(crop(Box(x1: 100, y1: 0, x2: 160, y2: 60))))])
        var o = VideoOptions()
        o.tracking = Tracker.Options()
        o.every = 2
        let (frames, _) = try collect(try VideoDetector(detector: detector, options: o), try video(self))
        var ids: [Int] = []
        for f in frames where f.processed && f.index > 0 {
            guard let d = f.detections.first else { XCTFail("frame \(f.index): nothing tracked"); continue }
            XCTAssertEqual(d.label, "square", "frame \(f.index)")
            XCTAssertGreaterThan(d.box.iou(SyntheticVideo.box(frame: f.index)), 0.5, "frame \(f.index): \(d.box)")
            ids.append(d.trackId!)
        }
        XCTAssertEqual(ids.count, 19)
        XCTAssertEqual(Set(ids), [1], "one id while the square crosses the frame")
    }

    func testCorruptFramesArePassedOnAndCounted() throws {
        let dir = try temporaryFolder(self)
        let clean = dir.appendingPathComponent("clean.avi"), damaged = dir.appendingPathComponent("damaged.avi")
        try SyntheticVideo.write(to: clean)
        try SyntheticVideo.damagingFrames([5], of: clean, to: damaged)
        var corrupt: [Int] = []
        var delivered = 0
        let summary = try VideoDetector(detector: try makeDetector()).run(try VideoReader(path: damaged.path)) { step in
            switch step {
            case .corrupt(let index, _): corrupt.append(index)
            case .frame: delivered += 1
            }
            return true
        }
        XCTAssertEqual(corrupt, [5])
        XCTAssertEqual(delivered, 39)
        XCTAssertEqual(summary.corruptFrames, 1)
        XCTAssertTrue(summary.line.contains("1 corrupt skipped"), summary.line)
    }
}
