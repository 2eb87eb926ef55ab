import Foundation
import XCTest

import Imaging

/// Inputs the fuzz targets `image-header` / `image-decode` found (tools/fuzz.sh), each fed to the
/// public loader: one `ImagingError` line, never a trap. The raw crashing inputs are also kept
/// under Tests/Fuzz/Targets/*/regressions and replayed by FuzzCorpusTests.
final class FuzzRegressionTests: XCTestCase {
    /// A little-endian TIFF whose IFD0 holds only ImageWidth and ImageLength, both LONG.
    private func tiff(width: UInt32, height: UInt32) -> Data {
        var d = Data("II*\u{0}".utf8) + le32(8) + le16(2)
        d += le16(256) + le16(4) + le32(1) + le32(width)
        d += le16(257) + le16(4) + le32(1) + le32(height)
        return d + le32(0)
    }

    private func le16(_ v: UInt16) -> Data { withUnsafeBytes(of: v.littleEndian) { Data($0) } }
    private func le32(_ v: UInt32) -> Data { withUnsafeBytes(of: v.littleEndian) { Data($0) } }

    /// Found by image-header: width × height of two 32-bit sides overflowed `Int` in the pixel
    /// limit check (arithmetic-overflow trap) instead of being refused as too large.
    func testHugeTIFFSidesAreTooLargeNotAnOverflow() throws {
        for (w, h) in [(UInt32.max, UInt32.max), (UInt32.max, 3_000_000_000), (100_000, 100_001)] {
            let data = tiff(width: w, height: h)
            for run in [{ _ = try ImageLoader.header(data: data, name: "huge.tif") },
                        { _ = try ImageLoader.decode(data: data, name: "huge.tif") }] {
                do {
                    try run()
                    XCTFail("\(w)x\(h) accepted")
                } catch let error as ImagingError {
                    XCTAssertEqual(error.kind, .tooLarge, "\(error)")
                    XCTAssertTrue(error.description.contains("huge.tif"), error.description)
                    XCTAssertFalse(error.description.contains("\n"), error.description)
                }
            }
        }
    }

    /// Found by image-decode: 128 bytes then `DICM` made OpenCV hand the bytes to GDCM, whose
    /// failed assert() aborted the process. Bytes of no recognised signature are now refused
    /// before any decoder runs; the Netpbm, Sun raster and JPEG 2000 signatures still reach OpenCV.
    func testUnrecognisedBytesAreRefusedBeforeOpenCVSeesThem() throws {
        var dicom = Data(repeating: 0, count: 128) + Data("DICM".utf8)
        dicom += Data([0x02, 0x00, 0x00, 0x00, 0x55, 0x4C, 0x04, 0x00, 0xFF, 0xFF, 0xFF, 0xFF])
        let found = try Data(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fuzz/Targets/image-decode/regressions/dicom_preamble").standardized)
        for (data, name) in [(dicom, "scan.dcm"), (found, "found.bin"), (Data("hello".utf8), "hello.txt")] {
            XCTAssertNil(try ImageLoader.header(data: data, name: name))
            do {
                _ = try ImageLoader.decode(data: data, name: name)
                XCTFail("\(name) decoded")
            } catch {  // typed: ImagingError
                XCTAssertEqual(error.kind, .unsupportedFormat, "\(error)")
                XCTAssertTrue(error.description.contains(name) && error.description.contains("JPEG 2000"), error.description)
                XCTAssertFalse(error.description.contains("\n"), error.description)
            }
        }
        // A PGM still decodes through OpenCV.
        let pgm = Data("P5\n2 1\n255\n".utf8) + Data([0, 255])
        let image = try ImageLoader.decode(data: pgm, name: "tiny.pgm")
        XCTAssertEqual([image.width, image.height], [2, 1])
    }

    func testHeaderReadsSizeAndOrientationOfASmallTIFF() throws {
        let header = try XCTUnwrap(ImageLoader.header(data: tiff(width: 7, height: 5), name: "small.tif"))
        XCTAssertEqual([header.format, "\(header.width)x\(header.height)", "\(header.orientation)"], ["TIFF", "7x5", "1"])
    }
}
