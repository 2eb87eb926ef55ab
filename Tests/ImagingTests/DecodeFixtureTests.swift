import CLIP
import Foundation
import TestSupport
import XCTest

@testable import Imaging

/// Every fixture decodes to the bytes PIL gives after `ImageOps.exif_transpose` +
/// transformers' `convert_to_rgb` (Fixtures/decode, made by
/// Tests/CLIPTests/Fixtures/preprocess/make_preprocess_fixtures.py).
final class DecodeFixtureTests: XCTestCase {
    struct Entry: Decodable {
        let file: String
        let width: Int
        let height: Int
        let rgb: String
        let pil_mode: String
    }

    struct Index: Decodable {
        let images: [Entry]
        let decode_only_images: [Entry]
    }

    static let folder: URL = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
        .appendingPathComponent("decode")

    static func entries() throws -> [Entry] {
        let index = try JSONDecoder().decode(Index.self, from: Data(contentsOf: folder.appendingPathComponent("index.json")))
        return index.images + index.decode_only_images
    }

    /// Decodes `entry` and returns (largest per-byte difference, differing bytes) against PIL.
    private func compare(_ entry: Entry) throws -> (maxDiff: Int, differing: Int) {
        let image = try ImageLoader.load(path: Self.folder.appendingPathComponent(entry.file).path)
        XCTAssertEqual(image.width, entry.width, entry.file)
        XCTAssertEqual(image.height, entry.height, entry.file)
        let want = [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent(entry.rgb)))
        guard image.pixels.count == want.count else {
            XCTFail("\(entry.file): \(image.pixels.count) bytes, PIL has \(want.count)")
            return (255, want.count)
        }
        var maxDiff = 0, differing = 0
        for i in 0..<want.count {
            let d = abs(Int(image.pixels[i]) - Int(want[i]))
            if d > 0 { differing += 1 }
            maxDiff = max(maxDiff, d)
        }
        return (maxDiff, differing)
    }

    func testEveryFixtureDecodesToExactlyPILsRGBBytes() throws {
        let entries = try Self.entries()
        XCTAssertEqual(entries.count, 31)
        for entry in entries {
            let (maxDiff, differing) = try compare(entry)
            // libjpeg-turbo 2.1 here and Pillow's bundled 3.x decode identically (islow IDCT,
            // fancy upsampling), so JPEGs are held to exact equality like the lossless formats.
            XCTAssertEqual(maxDiff, 0, "\(entry.file) (\(entry.pil_mode)): \(differing) bytes differ, by up to \(maxDiff)")
        }
    }

    func testAllEightEXIFOrientationsComeOutUpright() throws {
        let upright = try ImageLoader.load(path: Self.folder.appendingPathComponent("orientation1.jpg").path)
        for orientation in 2...8 {
            let entry = try XCTUnwrap(try Self.entries().first { $0.file == "orientation\(orientation).jpg" })
            let (maxDiff, _) = try compare(entry)
            XCTAssertEqual(maxDiff, 0, "orientation \(orientation)")
            // The stored pixels are the same for every file: only the tag differs.
            let expectSwap = orientation >= 5
            XCTAssertEqual(entry.width, expectSwap ? upright.height : upright.width, "orientation \(orientation)")
        }
    }

    func testAlphaIsCompositedOverWhiteWithPillowsRounding() throws {
        // alpha_table.png: column = colour (R = G = B), row = alpha; every pair once.
        let image = try ImageLoader.load(path: Self.folder.appendingPathComponent("alpha_table.png").path)
        let want = [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent("alpha_table.png.rgb")))
        for alpha in 0..<256 {
            for colour in 0..<256 {
                let i = 3 * (alpha * 256 + colour)
                XCTAssertEqual(PILAlphaComposite.overWhite[alpha << 8 | colour], want[i], "alpha \(alpha) colour \(colour)")
                if image.pixels[i] != want[i] { XCTFail("decoded alpha \(alpha) colour \(colour)"); return }
            }
        }
    }
}
