import CLIP
import Foundation
import TestSupport
import XCTest

/// Golden tests against transformers' `CLIPImageProcessorPil` (fixtures made by
/// Fixtures/preprocess/make_preprocess_fixtures.py; inputs are PIL-decoded RGB8 bytes).
final class ImageProcessorTests: XCTestCase {
    private struct Index: Decodable {
        struct Image: Decodable {
            struct Values: Decodable {
                let file: String
                let shape: [Int]
            }
            let file: String
            let width: Int
            let height: Int
            let rgb: String
            let pixel_values: [String: Values]
        }
        let configs: [String: String]
        let images: [Image]
    }

    private static let folder: URL = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
        .appendingPathComponent("preprocess")

    private func index() throws -> Index {
        try JSONDecoder().decode(Index.self, from: Data(contentsOf: Self.folder.appendingPathComponent("index.json")))
    }

    private func rgbImage(_ entry: Index.Image) throws -> RGBImage {
        let bytes = try Data(contentsOf: Self.folder.appendingPathComponent(entry.rgb))
        return RGBImage(width: entry.width, height: entry.height, pixels: [UInt8](bytes))
    }

    private func float16File(_ name: String) throws -> [Float] {
        let data = try Data(contentsOf: Self.folder.appendingPathComponent(name))
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 2)).map { Float(Float16(bitPattern: raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self))) }
        }
    }

    func testPixelValuesMatchCLIPImageProcessorOnEveryFixtureImageAndConfig() throws {
        let index = try index()
        var processors: [String: ImageProcessor] = [:]
        for (name, path) in index.configs {
            processors[name] = ImageProcessor(config: try ImageProcessorConfig.load(from: Self.folder.appendingPathComponent(path)))
        }
        var compared = 0
        var worst = 0.0
        for entry in index.images {
            let image = try rgbImage(entry)
            XCTAssertFalse(entry.pixel_values.isEmpty, entry.file)
            for (config, values) in entry.pixel_values.sorted(by: { $0.key < $1.key }) {
                let processor = try XCTUnwrap(processors[config], config)
                XCTAssertEqual(values.shape, [3, processor.outputHeight, processor.outputWidth], "\(entry.file) \(config)")
                let want = try float16File(values.file)
                let got = processor.preprocess(image)
                XCTAssertEqual(got.count, want.count, "\(entry.file) \(config)")
                guard got.count == want.count else { continue }
                var maxAbs = 0.0, sumAbs = 0.0
                for i in 0..<got.count {
                    let d = Double(abs(got[i] - want[i]))
                    maxAbs = max(maxAbs, d)
                    sumAbs += d
                }
                let meanAbs = sumAbs / Double(got.count)
                XCTAssertLessThanOrEqual(maxAbs, 0.02, "\(entry.file) \(config): max abs difference")
                XCTAssertLessThanOrEqual(meanAbs, 0.002, "\(entry.file) \(config): mean abs difference")
                worst = max(worst, maxAbs)
                compared += 1
            }
        }
        XCTAssertEqual(compared, 19, "every fixture image and config should be compared")
        // The references are float16: the only expected difference is their rounding
        // (< 0.001 for |v| < 2.7); anything above means a resampled byte differs from Pillow's.
        XCTAssertLessThan(worst, 0.0013, "a resampled byte differs from Pillow's")
    }

    func testOldAndNewConfigFormsDecodeToTheSameSettings() throws {
        let old = #"{"size": 224, "crop_size": 224, "resample": 3, "do_center_crop": true}"#
        let new = #"{"size": {"shortest_edge": 224}, "crop_size": {"height": 224, "width": 224}}"#
        let a = try JSONDecoder().decode(ImageProcessorConfig.self, from: Data(old.utf8))
        let b = try JSONDecoder().decode(ImageProcessorConfig.self, from: Data(new.utf8))
        XCTAssertEqual(a, b)
        XCTAssertEqual(a, .clipDefaults(imageSize: 224))
        let exact = try JSONDecoder().decode(
            ImageProcessorConfig.self, from: Data(#"{"size": {"height": 32, "width": 48}, "do_center_crop": false}"#.utf8))
        XCTAssertEqual(exact.size, .exact(height: 32, width: 48))
        XCTAssertEqual(ImageProcessor(config: exact).outputWidth, 48)
        let roundTrip = try JSONDecoder().decode(ImageProcessorConfig.self, from: JSONEncoder().encode(a))
        XCTAssertEqual(roundTrip, a)
    }

    func testCLIPDefaultsAreTransformersDefaults() {
        let config = ImageProcessorConfig.clipDefaults(imageSize: 336)
        XCTAssertEqual(config.size, .shortestEdge(336))
        XCTAssertEqual([config.cropHeight, config.cropWidth], [336, 336])
        XCTAssertEqual(config.resample, .bicubic)
        XCTAssertEqual(config.imageMean, [0.48145466, 0.4578275, 0.40821073])
        XCTAssertEqual(config.imageStd, [0.26862954, 0.26130258, 0.27577711])
        XCTAssertEqual(config.rescaleFactor, 1.0 / 255.0)
    }

    func testUnsupportedConfigsAreRejectedNamingTheFile() throws {
        let folder = try temporaryFolder(self)
        let cases = [
            (#"{"resample": 0}"#, "resample 0"),
            (#"{"do_center_crop": false}"#, "do_center_crop"),
            (#"{"size": {"longest_edge": 100}}"#, "longest_edge"),
            (#"{"image_mean": [0.5, 0.5]}"#, "image_mean"),
            (#"not json"#, "not valid JSON"),
        ]
        for (i, (json, fragment)) in cases.enumerated() {
            let url = folder.appendingPathComponent("config\(i).json")
            try Data(json.utf8).write(to: url)
            XCTAssertThrowsError(try ImageProcessorConfig.load(from: url)) { error in
                let message = "\(error)"
                XCTAssertTrue(message.contains(url.path) && message.contains(fragment), message)
                XCTAssertFalse(message.contains("\n"), message)
            }
        }
    }

    func testResizedSizeFollowsTransformersShortestEdgeRule() {
        let processor = ImageProcessor(config: .clipDefaults(imageSize: 224))
        XCTAssertTrue(processor.resizedSize(width: 640, height: 480) == (224, 298))
        XCTAssertTrue(processor.resizedSize(width: 480, height: 640) == (298, 224))
        XCTAssertTrue(processor.resizedSize(width: 224, height: 224) == (224, 224))
        // int(224 * 1001 / 1000) = 224: truncation, not rounding.
        XCTAssertTrue(processor.resizedSize(width: 1001, height: 1000) == (224, 224))
        XCTAssertTrue(processor.resizedSize(width: 3, height: 1000) == (74666, 224))
    }

    func testPreprocessIntoBufferEqualsArrayResult() throws {
        let entry = try XCTUnwrap(try index().images.first { $0.file == "messi.jpg" })
        let image = try rgbImage(entry)
        let processor = ImageProcessor(config: .clipDefaults(imageSize: 224))
        var buffer = [Float](repeating: .nan, count: processor.outputCount + 5)
        buffer.withUnsafeMutableBufferPointer { processor.preprocess(image, into: $0) }
        XCTAssertEqual(Array(buffer.prefix(processor.outputCount)), processor.preprocess(image))
        XCTAssertTrue(buffer.suffix(5).allSatisfy(\.isNaN), "must not write past outputCount")
    }

    func testImageSmallerThanTheCropIsZeroPaddedLikeNumpy() {
        // No resize, 3x2 image in a 4x5 crop: numpy top = (2 - 4) // 2 = -1, left = (3 - 5) // 2 = -1.
        var config = ImageProcessorConfig(doResize: false, size: .shortestEdge(1), cropHeight: 4, cropWidth: 5)
        config.doNormalize = false
        config.doRescale = false
        let image = RGBImage(width: 3, height: 2, pixels: (0..<18).map { UInt8($0 + 1) })
        let out = ImageProcessor(config: config).preprocess(image)
        // Image columns land at 1...3 and rows at 1...2; the rest is zero.
        let red = Array(out[0..<20])
        XCTAssertEqual(red, [0, 0, 0, 0, 0,
                             0, 1, 4, 7, 0,
                             0, 10, 13, 16, 0,
                             0, 0, 0, 0, 0])
    }
}
