import Foundation
import TestSupport
import XCTest

@testable import CLIP

/// Builds safetensors files byte by byte, so tests can break exactly one rule at a time.
enum SafetensorsBytes {
    /// `declaredLength` (default: the header's real length) as u64 LE, the header, the data.
    static func file(header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
        file(headerBytes: Array(header.utf8), data: data, declaredLength: declaredLength)
    }

    static func file(headerBytes: [UInt8], data: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
        let length = declaredLength ?? UInt64(headerBytes.count)
        return withUnsafeBytes(of: length.littleEndian) { Array($0) } + headerBytes + data
    }

    /// Little-endian bytes of `values` as F32.
    static func f32(_ values: [Float]) -> [UInt8] {
        values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
    }
}

/// A fresh folder per test (`temporaryFolder`, removed after the test) to write files into.
struct SafetensorsScratchFolder {
    let url: URL

    init(_ test: XCTestCase) throws {
        url = try temporaryFolder(test)
    }

    /// Writes `bytes` to `name` in the folder.
    func write(_ bytes: [UInt8], name: String = "model.safetensors") throws -> URL {
        let file = url.appendingPathComponent(name)
        try Data(bytes).write(to: file)
        return file
    }
}

/// Asserts that opening `url` fails with a one-line `CLIPError` naming the file and
/// containing every fragment (tensor names, numbers, reasons).
func assertSafetensorsRejected(
    _ url: URL, mentioning fragments: [String], file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertThrowsError(try SafetensorsFile(url: url), file: file, line: line) { error in
        guard let error = error as? CLIPError else {
            return XCTFail("expected CLIPError, got \(type(of: error)): \(error)", file: file, line: line)
        }
        XCTAssertTrue(error.message.hasPrefix(url.path + ": "), "message does not start with the file: \(error.message)",
                      file: file, line: line)
        XCTAssertFalse(error.message.contains("\n"), "message is not one line: \(error.message)", file: file, line: line)
        for fragment in fragments {
            XCTAssertTrue(error.message.contains(fragment), "\"\(fragment)\" missing from: \(error.message)",
                          file: file, line: line)
        }
    }
}
