import CLIP
import Foundation
import Imaging
import TestSupport
import XCTest
@testable import Search

enum Fixture {
    /// A small random CLIP from the CLIP test fixtures (20-d embeddings, 64×64 input).
    static func model(_ name: String = "tiny-gelu-f16") throws -> CLIPModel {
        try CLIPModel(folder: TestFixtures.clipModelFolder(name))
    }

    /// A seeded image: a coloured background with a block whose place and colour depend on
    /// `seed`, so different seeds embed differently.
    static func image(seed: Int, width: Int = 80, height: Int = 60) -> RGBImage {
        var rng = UInt64(seed) &* 0x9E3779B97F4A7C15 &+ 1
        func next() -> Int {
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            return Int(rng >> 33)
        }
        let bg = (next() % 256, next() % 256, next() % 256), fg = (next() % 256, next() % 256, next() % 256)
        let bx = next() % (width / 2), by = next() % (height / 2)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let inside = x >= bx && x < bx + width / 2 && y >= by && y < by + height / 2
                let c = inside ? fg : bg
                let noise = next() % 16
                pixels[(y * width + x) * 3] = UInt8((c.0 + noise) % 256)
                pixels[(y * width + x) * 3 + 1] = UInt8((c.1 + noise) % 256)
                pixels[(y * width + x) * 3 + 2] = UInt8((c.2 + noise) % 256)
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// Writes `count` seeded PNGs as `<folder>/<prefix><i>.png`; returns their paths.
    @discardableResult
    static func writeImages(_ count: Int, to folder: URL, prefix: String = "img", seedOffset: Int = 0) throws -> [String] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try (0..<count).map { i in
            let path = folder.appendingPathComponent("\(prefix)\(i).png").path
            try ImageWriter.write(image(seed: i + seedOffset), to: path)
            return path
        }
    }

    /// Sets a file's modification time explicitly, so a rewrite within the same clock tick
    /// still counts as a change.
    static func touch(_ path: String, secondsSince1970: Double) throws {
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: secondsSince1970)], ofItemAtPath: path)
    }
}
