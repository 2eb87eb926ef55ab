import CLIP
import Foundation
import TestSupport
import XCTest

import Imaging

/// `ImageWriter` round-trips through `ImageLoader`, fails with one-line errors naming the file,
/// and never leaves a partial or temporary file behind.
final class ImageWriterTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("writer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// A smooth colour ramp with a hard-edged square: easy for JPEG, still checks orientation
    /// and channel order (R, G and B vary differently).
    static func sample(width: Int = 64, height: Int = 48) -> RGBImage {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let i = 3 * (y * width + x)
                let inSquare = (8..<24).contains(x) && (8..<24).contains(y)
                pixels[i] = inSquare ? 250 : UInt8(x * 255 / (width - 1))
                pixels[i + 1] = inSquare ? 20 : UInt8(y * 255 / (height - 1))
                pixels[i + 2] = inSquare ? 30 : 128
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    private func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    private func folderContents() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    /// Runs `body` expecting an `ImagingError` of `kind` whose one-line message starts with
    /// `file: ` and contains `fragment`.
    private func assertFails(_ kind: ImagingError.Kind, naming file: String, containing fragment: String,
                             line: UInt = #line, _ body: () throws -> Void) {
        do {
            try body()
            XCTFail("expected an error", line: line)
        } catch let error as ImagingError {
            XCTAssertEqual(error.kind, kind, "\(error)", line: line)
            XCTAssertTrue(error.description.hasPrefix(file + ": "), error.description, line: line)
            XCTAssertTrue(error.description.contains(fragment), error.description, line: line)
            XCTAssertFalse(error.description.contains("\n"), line: line)
        } catch {
            XCTFail("unexpected error type \(error)", line: line)
        }
    }

    func testPNGRoundTripIsExact() throws {
        let image = Self.sample()
        try ImageWriter.write(image, to: path("out.png"))
        XCTAssertEqual(try ImageLoader.load(path: path("out.png")), image)
    }

    func testJPEGRoundTripStaysWithinCompressionError() throws {
        let image = Self.sample()
        try ImageWriter.write(image, to: path("out.jpg"), quality: 95)
        let back = try ImageLoader.load(path: path("out.jpg"))
        XCTAssertEqual(back.width, image.width)
        XCTAssertEqual(back.height, image.height)
        let total = zip(back.pixels, image.pixels).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }
        let mean = Double(total) / Double(image.pixels.count)
        // Quality 95: measured mean error 2.03 (4:2:0 chroma subsampling at the square's sharp
        // colour edges dominates); 4 leaves room for other libjpeg builds, while a channel swap
        // or a flip gives tens.
        XCTAssertLessThan(mean, 4.0)
    }

    func testExtensionPicksTheFormatIgnoringCase() throws {
        try ImageWriter.write(Self.sample(), to: path("a.JPEG"))
        try ImageWriter.write(Self.sample(), to: path("b.Png"))
        let jpeg = try Data(contentsOf: URL(fileURLWithPath: path("a.JPEG")))
        let png = try Data(contentsOf: URL(fileURLWithPath: path("b.Png")))
        XCTAssertEqual(Array(jpeg.prefix(3)), [0xFF, 0xD8, 0xFF])
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
    }

    func testEncodeInMemoryGivesTheBytesWrittenToDisk() throws {
        let image = Self.sample()
        try ImageWriter.write(image, to: path("same.png"))
        let written = try Data(contentsOf: URL(fileURLWithPath: path("same.png")))
        XCTAssertEqual(try ImageWriter.encode(image, format: .png), written)
    }

    func testUnknownExtensionIsRejectedNamingTheFileAndWritesNothing() throws {
        let target = path("out.bmp")
        assertFails(.unsupportedFormat, naming: target, containing: ".bmp") {
            try ImageWriter.write(Self.sample(), to: target)
        }
        assertFails(.unsupportedFormat, naming: path("noextension"), containing: "no extension") {
            try ImageWriter.write(Self.sample(), to: self.path("noextension"))
        }
        XCTAssertEqual(try folderContents(), [])
    }

    func testMissingFolderIsRejectedNamingTheFile() throws {
        let target = path("missing/out.png")
        assertFails(.unwritable, naming: target, containing: "does not exist") {
            try ImageWriter.write(Self.sample(), to: target)
        }
        XCTAssertEqual(try folderContents(), [])
    }

    func testFolderThatIsAFileIsRejectedNamingTheFile() throws {
        try Data([1, 2, 3]).write(to: folder.appendingPathComponent("plain"))
        let target = path("plain/out.png")
        assertFails(.unwritable, naming: target, containing: "is not a folder") {
            try ImageWriter.write(Self.sample(), to: target)
        }
        XCTAssertEqual(try folderContents(), ["plain"])
    }

    func testUncreatableFileFailsWithoutLeavingATemporaryFile() throws {
        // The kernel refuses names over 255 bytes, so creating the temporary file itself fails:
        // the same path a read-only or permission-denied folder takes (tests may run as root,
        // which ignores folder permissions).
        let target = path(String(repeating: "x", count: 252) + ".png")
        assertFails(.unwritable, naming: target, containing: "cannot create a file in folder") {
            try ImageWriter.write(Self.sample(), to: target)
        }
        XCTAssertEqual(try folderContents(), [])
    }

    func testDestinationThatIsAFolderIsRejected() throws {
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("taken.png"), withIntermediateDirectories: false)
        assertFails(.unwritable, naming: path("taken.png"), containing: "is a folder") {
            try ImageWriter.write(Self.sample(), to: self.path("taken.png"))
        }
    }

    func testExistingFileIsReplacedWholeAndNoTemporaryFileRemains() throws {
        let target = path("result.png")
        try ImageWriter.write(Self.sample(width: 80, height: 60), to: target)
        let second = RGBImage(width: 10, height: 7, fill: (1, 2, 3))
        try ImageWriter.write(second, to: target)
        XCTAssertEqual(try ImageLoader.load(path: target), second)
        XCTAssertEqual(try folderContents(), ["result.png"])
    }

    func testFailedWriteLeavesTheExistingFileUntouched() throws {
        let target = path("keep.jpg")
        try ImageWriter.write(Self.sample(), to: target)
        let before = try Data(contentsOf: URL(fileURLWithPath: target))
        assertFails(.invalidArgument, naming: target, containing: "quality 0") {
            try ImageWriter.write(Self.sample(), to: target, quality: 0)
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: target)), before)
        XCTAssertEqual(try folderContents(), ["keep.jpg"])
    }

    func testJPEGQualityOutOfRangeIsRejectedInMemory() {
        assertFails(.invalidArgument, naming: "<memory>", containing: "101") {
            _ = try ImageWriter.encode(Self.sample(), format: .jpeg, quality: 101)
        }
    }
}
