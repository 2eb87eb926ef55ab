import CLIP
import Foundation
import TestSupport
import XCTest

@testable import Imaging

/// Bad files fail with one-line `ImagingError`s naming the file, never a crash.
final class BadInputTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("imaging-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: DecodeFixtureTests.folder.appendingPathComponent(name))
    }

    private func write(_ data: Data, as name: String) throws -> String {
        let url = folder.appendingPathComponent(name)
        try data.write(to: url)
        return url.path
    }

    /// Loads `path` expecting an error of `kind` whose single-line message names the file
    /// and contains `fragment`.
    private func assertRejected(_ path: String, maxPixels: Int = ImageLoader.defaultMaxPixels, _ kind: ImagingError.Kind,
                                _ fragment: String, line: UInt = #line) {
        do {
            let image = try ImageLoader.load(path: path, maxPixels: maxPixels)
            XCTFail("decoded \(image.width)x\(image.height) instead of failing", line: line)
        } catch {
            XCTAssertEqual(error.kind, kind, "\(error)", line: line)
            let message = error.description
            XCTAssertTrue(message.hasPrefix(path + ": "), message, line: line)
            XCTAssertTrue(message.contains(fragment), "\(message) lacks \(fragment)", line: line)
            XCTAssertFalse(message.contains("\n"), message, line: line)
        }
    }

    func testTruncatedJPEGIsRejectedNamingTheFile() throws {
        let jpeg = try fixture("messi.jpg")
        let path = try write(jpeg.prefix(jpeg.count / 2), as: "half.jpg")
        assertRejected(path, .corrupt, "Premature end of JPEG file")
    }

    func testTruncatedProgressiveJPEGIsRejected() throws {
        let jpeg = try fixture("progressive.jpg")
        let path = try write(jpeg.prefix(jpeg.count * 2 / 3), as: "cut.jpg")
        assertRejected(path, .corrupt, "JPEG")
    }

    func testJPEGCutInsideItsHeaderIsRejected() throws {
        let path = try write(try fixture("messi.jpg").prefix(40), as: "header.jpg")
        assertRejected(path, .corrupt, "truncated JPEG")
    }

    func testTruncatedPNGIsRejected() throws {
        let png = try fixture("rgba.png")
        let path = try write(png.prefix(png.count / 2), as: "half.png")
        assertRejected(path, .corrupt, "PNG")
    }

    func testHeaderClaimingAHugeImageIsRejectedBeforeDecoding() throws {
        // A valid-looking PNG signature + IHDR for 100000x100000 and no pixel data at all:
        // only the header check can have produced the size in the message.
        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13])
        png += Data("IHDR".utf8)
        png += Data([0x00, 0x01, 0x86, 0xA0, 0x00, 0x01, 0x86, 0xA0, 8, 2, 0, 0, 0, 0, 0, 0, 0])
        png += Data([0, 0, 0, 0]) + Data("IEND".utf8) + Data([0xAE, 0x42, 0x60, 0x82])
        assertRejected(try write(png, as: "huge.png"), .tooLarge, "100000x100000")

        // The same for a JPEG frame header (65000x65000).
        var jpeg = try fixture("messi.jpg")
        let sof = try XCTUnwrap(jpeg.indices.first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 })
        jpeg[sof + 5] = 0xFD; jpeg[sof + 6] = 0xE8  // height 65000
        jpeg[sof + 7] = 0xFD; jpeg[sof + 8] = 0xE8  // width 65000
        assertRejected(try write(jpeg, as: "huge.jpg"), .tooLarge, "65000x65000")
    }

    func testCallerPixelLimitIsApplied() throws {
        let path = DecodeFixtureTests.folder.appendingPathComponent("rgb.bmp").path
        assertRejected(path, maxPixels: 64 * 40 - 1, .tooLarge, "64x40")
        XCTAssertNoThrow(try ImageLoader.load(path: path, maxPixels: 64 * 40))
    }

    func testMissingFileIsReported() {
        assertRejected(folder.appendingPathComponent("nope.jpg").path, .unreadable, "no such file")
    }

    func testDirectoryIsNotAnImage() {
        assertRejected(folder.path, .unreadable, "directory")
    }

    func testTextFileNamedPNGIsNotAnImage() throws {
        let path = try write(Data("just some words, not pixels\n".utf8), as: "notes.png")
        assertRejected(path, .unsupportedFormat, "not an image")
    }

    func testZeroByteFileIsRejected() throws {
        assertRejected(try write(Data(), as: "empty.jpg"), .corrupt, "empty")
    }

    func testDecodeFromMemoryNamesTheGivenName() throws {
        XCTAssertThrowsError(try ImageLoader.decode(data: Data([0xFF, 0xD8, 0xFF]), name: "upload #3")) { error in
            XCTAssertTrue("\(error)".hasPrefix("upload #3: "), "\(error)")
        }
        let image = try ImageLoader.decode(data: try fixture("grey.png"), name: "grey")
        XCTAssertEqual([image.width, image.height], [96, 80])
    }
}
