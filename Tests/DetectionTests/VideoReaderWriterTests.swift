import CLIP
@testable import Detection
import Imaging
import TestSupport
import XCTest

/// Synthetic videos written at test time with the shim's writer.
enum SyntheticVideo {
    static let width = 160, height = 120, frames = 40, fps = 10.0
    static let background: (UInt8, UInt8, UInt8) = (40, 120, 40)
    static let shape: (UInt8, UInt8, UInt8) = (230, 20, 20)

    /// The square's box in frame `i`: 40×40, moving 2 px right per frame (or not at all).
    static func box(frame i: Int, moving: Bool = true) -> Box {
        let x = Float(10 + (moving ? 2 * i : 0))
        return Box(x1: x, y1: 40, x2: x + 40, y2: 80)
    }

    static func frame(_ i: Int, moving: Bool = true) -> RGBImage {
        var image = RGBImage(width: width, height: height, fill: background)
        let b = box(frame: i, moving: moving)
        for y in Int(b.y1)..<Int(b.y2) {
            for x in Int(b.x1)..<Int(b.x2) {
                let p = (y * width + x) * 3
                image.pixels[p] = shape.0; image.pixels[p + 1] = shape.1; image.pixels[p + 2] = shape.2
            }
        }
        return image
    }

    /// Writes `count` frames to `url` (codec from the extension) and returns them.
    @discardableResult
    static func write(to url: URL, count: Int = frames, moving: Bool = true) throws -> [RGBImage] {
        let writer = try VideoWriter(path: url.path, fps: fps, width: width, height: height)
        let images = (0..<count).map { frame($0, moving: moving) }
        for image in images { try writer.write(image) }
        try writer.close()
        return images
    }

    /// Byte offsets of the JPEG frames (SOI markers FF D8 FF) in an MJPG file.
    static func jpegOffsets(_ data: Data) -> [Int] {
        let bytes = [UInt8](data)
        return (0..<(bytes.count - 2)).filter { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xD8 && bytes[$0 + 2] == 0xFF }
    }

    /// A copy of an MJPG `.avi` whose frames `damaged` have the first half of their JPEG data
    /// overwritten with a fixed pattern, so they no longer decode.
    static func damagingFrames(_ damaged: [Int], of source: URL, to target: URL) throws {
        var bytes = [UInt8](try Data(contentsOf: source))
        let offsets = jpegOffsets(Data(bytes))
        for f in damaged {
            let a = offsets[f], b = f + 1 < offsets.count ? offsets[f + 1] : bytes.count
            for i in (a + 2)..<(a + 2 + (b - a) / 2) { bytes[i] = UInt8(truncatingIfNeeded: i &* 37) }
        }
        try Data(bytes).write(to: target)
    }
}

extension RGBImage {
    /// Mean absolute difference of the samples, for comparing lossy round trips.
    func meanAbsoluteDifference(_ other: RGBImage) -> Double {
        precondition(pixels.count == other.pixels.count)
        var total = 0
        for i in 0..<pixels.count { total += abs(Int(pixels[i]) - Int(other.pixels[i])) }
        return Double(total) / Double(pixels.count)
    }
}

/// Every event of a reader, in order.
func readAll(_ reader: VideoReader) throws -> [VideoReader.Event] {
    var events: [VideoReader.Event] = []
    while let e = try reader.next() { events.append(e) }
    return events
}

final class VideoReaderWriterTests: XCTestCase {
    func testWrittenVideoReadsBackWithItsSizeRateCountAndPixels() throws {
        let dir = try temporaryFolder(self)
        for name in ["clip.avi", "clip.mp4"] {
            let url = dir.appendingPathComponent(name)
            let written = try SyntheticVideo.write(to: url)
            let reader = try VideoReader(path: url.path)
            XCTAssertEqual(reader.info.width, 160, name)
            XCTAssertEqual(reader.info.height, 120, name)
            XCTAssertEqual(reader.info.fps ?? 0, 10, accuracy: 1e-6, name)
            XCTAssertEqual(reader.info.frameCount, 40, name)
            XCTAssertEqual(reader.info.backend, "FFMPEG", name)
            let events = try readAll(reader)
            XCTAssertEqual(events.count, 40, name)
            for (i, e) in events.enumerated() {
                guard case .frame(let index, let image) = e else { return XCTFail("\(name): frame \(i) reported corrupt") }
                XCTAssertEqual(index, i)
                // Lossy codecs: the plain areas and the square's colour survive within a few levels.
                XCTAssertLessThan(image.meanAbsoluteDifference(written[i]), 4, "\(name) frame \(i)")
            }
            XCTAssertFalse(reader.endedEarly)
            XCTAssertEqual(reader.corruptFrames, 0)
        }
    }

    func testImageSequencePatternReadsTheNumberedFiles() throws {
        let dir = try temporaryFolder(self)
        for i in 0..<6 { try ImageWriter.write(SyntheticVideo.frame(i), to: dir.appendingPathComponent(String(format: "%03d.png", i)).path) }
        let reader = try VideoReader(path: dir.appendingPathComponent("%03d.png").path)
        XCTAssertEqual(reader.info.width, 160)
        let events = try readAll(reader)
        XCTAssertEqual(events.count, 6)
        guard case .frame(5, let last) = events[5] else { return XCTFail("last event \(events[5])") }
        XCTAssertEqual(last, SyntheticVideo.frame(5), "PNG frames are lossless")
    }

    func testTruncatedFileYieldsTheReadableFramesAndEndsEarly() throws {
        let dir = try temporaryFolder(self)
        let full = dir.appendingPathComponent("full.avi")
        try SyntheticVideo.write(to: full)
        let data = try Data(contentsOf: full)
        let cut = SyntheticVideo.jpegOffsets(data)[25] + 100  // inside frame 25
        let truncated = dir.appendingPathComponent("truncated.avi")
        try data.prefix(cut).write(to: truncated)
        let reader = try VideoReader(path: truncated.path)
        XCTAssertEqual(reader.info.frameCount, 40, "the header still announces 40 frames")
        let events = try readAll(reader)
        let indices = events.compactMap { e -> Int? in if case .frame(let i, _) = e { return i } else { return nil } }
        XCTAssertEqual(indices, Array(0..<25), "frames before the cut, in order")
        XCTAssertTrue(reader.endedEarly)
        XCTAssertNil(try reader.next(), "stays at the end")
    }

    func testCorruptFramesAreReportedAndLaterFramesKeepTheirIndex() throws {
        let dir = try temporaryFolder(self)
        let clean = dir.appendingPathComponent("clean.avi")
        let written = try SyntheticVideo.write(to: clean)
        let damaged = dir.appendingPathComponent("damaged.avi")
        try SyntheticVideo.damagingFrames([10, 11, 30], of: clean, to: damaged)
        let reader = try VideoReader(path: damaged.path)
        let events = try readAll(reader)
        XCTAssertEqual(events.count, 40)
        for (i, e) in events.enumerated() {
            switch e {
            case .corrupt(let index, let message):
                XCTAssertEqual(index, i)
                XCTAssertTrue([10, 11, 30].contains(index), "frame \(index) reported corrupt")
                XCTAssertFalse(message.isEmpty)
            case .frame(let index, let image):
                XCTAssertEqual(index, i)
                XCTAssertFalse([10, 11, 30].contains(index), "frame \(index) should not decode")
                XCTAssertLessThan(image.meanAbsoluteDifference(written[i]), 4, "frame \(i) is the right picture")
            }
        }
        XCTAssertEqual(reader.corruptFrames, 3)
        XCTAssertFalse(reader.endedEarly)
    }

    func testMissingOrNonVideoFileIsAOneLineErrorNamingIt() throws {
        let dir = try temporaryFolder(self)
        let text = dir.appendingPathComponent("notes.avi")
        try Data("not a video".utf8).write(to: text)
        for path in [dir.appendingPathComponent("missing.mp4").path, text.path] {
            XCTAssertThrowsError(try VideoReader(path: path)) { error in
                let message = "\(error)"
                XCTAssertTrue(message.hasPrefix(path + ": cannot open video"), message)
                XCTAssertFalse(message.contains("\n"))
            }
        }
    }

    func testWriterRejectsUnknownExtensionsAndFramesOfAnotherSize() throws {
        let dir = try temporaryFolder(self)
        XCTAssertEqual(VideoWriter.codec(forPath: "a.MP4"), "mp4v")
        XCTAssertEqual(VideoWriter.codec(forPath: "a.avi"), "MJPG")
        XCTAssertNil(VideoWriter.codec(forPath: "a.gif"))
        XCTAssertThrowsError(try VideoWriter(path: dir.appendingPathComponent("a.gif").path, fps: 10, width: 16, height: 16)) {
            XCTAssertTrue("\($0)".contains("unsupported video extension"), "\($0)")
        }
        let writer = try VideoWriter(path: dir.appendingPathComponent("a.avi").path, fps: 10, width: 16, height: 16)
        XCTAssertThrowsError(try writer.write(RGBImage(width: 8, height: 8, fill: (0, 0, 0)))) {
            XCTAssertTrue("\($0)".contains("8x8"), "\($0)")
        }
        try writer.write(RGBImage(width: 16, height: 16, fill: (9, 9, 9)))
        XCTAssertEqual(writer.framesWritten, 1)
        try writer.close()
        try writer.close()  // idempotent
        XCTAssertThrowsError(try writer.write(RGBImage(width: 16, height: 16, fill: (0, 0, 0))))
    }
}
