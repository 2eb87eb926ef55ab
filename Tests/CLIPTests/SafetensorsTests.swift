import Foundation
import TestSupport
import XCTest

@testable import CLIP

/// Reading files written by Python's `safetensors`, and round trips through `SafetensorsWriter`.
final class SafetensorsTests: XCTestCase {
    private var folder: SafetensorsScratchFolder!

    override func setUpWithError() throws {
        folder = try SafetensorsScratchFolder(self)
    }

    private func interopFile() throws -> SafetensorsFile {
        let fixtures = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return try SafetensorsFile(url: fixtures.appendingPathComponent("safetensors/interop.safetensors"))
    }

    private func assertBitwiseEqual(_ actual: [Float], _ expected: [Float], _ what: String,
                                    file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.map(\.bitPattern), expected.map(\.bitPattern), what, file: file, line: line)
    }

    // MARK: - Interop with Python's safetensors (fixture made by make_interop.py)

    func testPythonFileListsTensorsInOffsetOrderWithMetadata() throws {
        let file = try interopFile()
        XCTAssertEqual(file.tensorNames, ["int_ids", "empty", "f32_ramp", "rne_source", "scalar",
                                          "bf16_specials", "rne_bf16", "f16_specials", "rne_f16"])
        XCTAssertEqual(file.metadata, ["format": "pt", "purpose": "interop test"])
        let ids = try XCTUnwrap(file.info("int_ids"))
        XCTAssertEqual(ids.dtype, .I64)
        XCTAssertEqual(ids.shape, [3])
        XCTAssertEqual(ids.byteRange, (8 + 672)..<(8 + 672 + 24))  // absolute: after the 672-byte header
        XCTAssertEqual(file.info("f16_specials")?.byteRange, (8 + 672 + 24716)..<(8 + 672 + 24736))
        XCTAssertNil(file.info("missing"))
    }

    func testPythonF32TensorsReadExactly() throws {
        let file = try interopFile()
        XCTAssertEqual(file.info("f32_ramp")?.shape, [2, 3, 4])
        XCTAssertEqual(try file.floats("f32_ramp"), (0..<24).map { Float($0) * 0.25 - 3 })
        XCTAssertEqual(file.info("scalar")?.shape, [])
        XCTAssertEqual(file.info("scalar")?.elementCount, 1)
        XCTAssertEqual(try file.floats("scalar"), [42.5])
        XCTAssertEqual(file.info("empty")?.elementCount, 0)
        XCTAssertEqual(try file.floats("empty"), [])
    }

    func testPythonF16TensorWidensSubnormalsInfinitiesAndNaN() throws {
        let values = try interopFile().floats("f16_specials")
        let expected: [Float] = [0, -0.0, 0x1p-24, -0x1p-24 * 1023, 0x1p-14, 65504, -.infinity, .infinity,
                                 .nan, Float(bitPattern: 0x3EAA_A000) /* half 0x3555 ≈ 1/3 */]
        XCTAssertEqual(values.count, expected.count)
        assertBitwiseEqual(Array(values[0..<8]), Array(expected[0..<8]), "finite and infinite values")
        XCTAssertTrue(values[8].isNaN)
        XCTAssertEqual(values[9], 0.333251953125)
        XCTAssertEqual(values[9].bitPattern, expected[9].bitPattern)
    }

    func testPythonBF16TensorWidensSubnormalsMaximumAndNaN() throws {
        let values = try interopFile().floats("bf16_specials")
        assertBitwiseEqual(Array(values[0..<7]),
                           [0, -0.0, 1, -2.5, 0x1p-133, Float(bitPattern: 0x7F7F_0000), .infinity],
                           "bf16 values")
        XCTAssertTrue(values[7].isNaN)
    }

    func testNarrowingMatchesNumpyF16AndTorchBF16RoundingBitForBit() throws {
        let file = try interopFile()
        let source = try file.floats("rne_source")
        XCTAssertEqual(source.count, 4096)
        let numpyF16 = try file.floats("rne_f16")
        let torchBF16 = try file.floats("rne_bf16")
        for (index, value) in source.enumerated() {
            let ourF16 = HalfFloat.float(fromF16: HalfFloat.f16Bits(from: value))
            let ourBF16 = HalfFloat.float(fromBF16: HalfFloat.bf16Bits(from: value))
            XCTAssertEqual(ourF16.bitPattern, numpyF16[index].bitPattern, "F16 of \(value) (index \(index))")
            XCTAssertEqual(ourBF16.bitPattern, torchBF16[index].bitPattern, "BF16 of \(value) (index \(index))")
        }
    }

    // MARK: - Reading API

    func testNonFloatDtypeIsRefusedNamingFileTensorAndDtype() throws {
        let file = try interopFile()
        XCTAssertThrowsError(try file.floats("int_ids")) { error in
            let message = (error as? CLIPError)?.message ?? ""
            XCTAssertTrue(message.hasPrefix(file.url.path + ": "), message)
            XCTAssertTrue(message.contains(#"tensor "int_ids" has dtype I64"#), message)
        }
    }

    func testUnknownTensorNameIsAnErrorNamingIt() throws {
        let file = try interopFile()
        XCTAssertThrowsError(try file.floats("text_projection.weight")) { error in
            let message = (error as? CLIPError)?.message ?? ""
            XCTAssertTrue(message.hasPrefix(file.url.path + ": "), message)
            XCTAssertTrue(message.contains(#"no tensor named "text_projection.weight""#), message)
        }
    }

    func testReadFloatsIntoABufferOfTheWrongSizeThrows() throws {
        let file = try interopFile()
        var small = [Float](repeating: 7, count: 23)
        XCTAssertThrowsError(try small.withUnsafeMutableBufferPointer { try file.readFloats("f32_ramp", into: $0) }) { error in
            let message = (error as? CLIPError)?.message ?? ""
            XCTAssertTrue(message.contains(#"tensor "f32_ramp" has 24 elements"#), message)
            XCTAssertTrue(message.contains("holds 23"), message)
        }
        XCTAssertEqual(small, [Float](repeating: 7, count: 23), "nothing written on failure")
    }

    func testReadFloatsFillsACallerBuffer() throws {
        let file = try interopFile()
        var out = [Float](repeating: 0, count: 10)
        try out.withUnsafeMutableBufferPointer { try file.readFloats("f16_specials", into: $0) }
        XCTAssertEqual(out[5], 65504)
    }

    func testHeaderPaddingOutOfOrderEntriesAndEscapedNamesAreAccepted() throws {
        // Entries listed out of offset order (old writers sorted by name), padded header,
        // `__metadata__: null`, an escaped name, a zero-size tensor and a packed F4 tensor.
        let header = #"{"__metadata__":null,"z\u00e9\n":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"#
            + #""a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"nil":{"dtype":"F16","shape":[0],"data_offsets":[8,8]},"#
            + #""packed":{"dtype":"F4","shape":[2,3],"data_offsets":[8,11]}}"# + "   \n\t "
        let url = try folder.write(SafetensorsBytes.file(header: header, data: SafetensorsBytes.f32([1.5, -2]) + [1, 2, 3]))
        let file = try SafetensorsFile(url: url)
        XCTAssertEqual(file.tensorNames, ["a", "z\u{e9}\n", "nil", "packed"])
        XCTAssertEqual(file.metadata, [:])
        XCTAssertEqual(try file.floats("z\u{e9}\n"), [-2])
        XCTAssertEqual(try file.floats("nil"), [])
        XCTAssertEqual(file.info("packed")?.byteRange.count, 3)
    }

    func testFileWithNoTensorsOpens() throws {
        let url = try folder.write(SafetensorsBytes.file(header: "{}      "))
        let file = try SafetensorsFile(url: url)
        XCTAssertEqual(file.tensorNames, [])
    }

    func testUnalignedHalfTensorsReadCorrectly() throws {
        // Odd offset: the vector path must not assume alignment. 33 values cover the
        // 16-wide loop twice plus the scalar tail.
        let halves: [UInt16] = (0..<33).map { UInt16(0x3C00 + $0) }  // 1.0, 1.0009765625, …
        let halfBytes: [UInt8] = halves.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let data: [UInt8] = [0xAA] + halfBytes
        let header = #"{"pad":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"h":{"dtype":"F16","shape":[33],"data_offsets":[1,67]},"#
            + #""b":{"dtype":"BF16","shape":[33],"data_offsets":[67,133]}}"#
        let url = try folder.write(SafetensorsBytes.file(header: header, data: data + halfBytes))
        let file = try SafetensorsFile(url: url)
        XCTAssertEqual(try file.floats("h"), (0..<33).map { 1 + Float($0) / 1024 })
        XCTAssertEqual(try file.floats("b"), halves.map { Float(bitPattern: UInt32($0) << 16) })
    }

    // MARK: - Writer round trips

    private func roundTrip(_ dtype: SafetensorsDType, values: [Float]) throws -> SafetensorsFile {
        let url = folder.url.appendingPathComponent("\(dtype).safetensors")
        try SafetensorsWriter.write([(name: "first", shape: [2, values.count / 2], values: values),
                                     (name: "second.bias", shape: [], values: [0.5])],
                                    dtype: dtype, metadata: ["format": "pt", "note": "quote\" and \\"], to: url)
        return try SafetensorsFile(url: url)
    }

    func testF32RoundTripIsExact() throws {
        let values: [Float] = [0, -0.0, 1, -Float(bitPattern: 0x0001_16C2) /* subnormal */, 3.4e38, .infinity, -.infinity, .pi, 1e-7, 123456.789]
        let file = try roundTrip(.F32, values: values)
        assertBitwiseEqual(try file.floats("first"), values, "F32 values")
        XCTAssertEqual(file.tensorNames, ["first", "second.bias"])
        XCTAssertEqual(file.info("first")?.shape, [2, 5])
        XCTAssertEqual(file.metadata, ["format": "pt", "note": "quote\" and \\"])
        XCTAssertEqual((file.info("first")?.byteRange.lowerBound ?? 1) % 8, 0, "header padded to 8 bytes")
    }

    func testF16RoundTripRoundsToNearestEven() throws {
        let values: [Float] = [1, -2, 0.1, 65504, 70000, 1 + 0x1p-11, 1 + 3 * 0x1p-11, 0x1p-24, 0x1p-26, -.nan]
        let file = try roundTrip(.F16, values: values)
        let read = try file.floats("first")
        assertBitwiseEqual(Array(read[0..<9]),
                           [1, -2, 0.0999755859375, 65504, .infinity, 1, 1 + 2 * 0x1p-10, 0x1p-24, 0],
                           "F16 values")
        XCTAssertTrue(read[9].isNaN)
        XCTAssertEqual(try file.floats("second.bias"), [0.5])
    }

    func testBF16RoundTripRoundsToNearestEven() throws {
        let values: [Float] = [1, -2, 0.1, 3.4e38, Float(bitPattern: 0x3F80_8000), Float(bitPattern: 0x3F81_8000),
                               Float(bitPattern: 0x3F80_8001), Float(bitPattern: 0x0001_16C2), .infinity, .nan]
        let file = try roundTrip(.BF16, values: values)
        let read = try file.floats("first")
        assertBitwiseEqual(Array(read[0..<9]), [
            1, -2, Float(bitPattern: 0x3DCD_0000), Float(bitPattern: 0x7F80_0000) /* 3.4e38 rounds past max */,
            1, Float(bitPattern: 0x3F82_0000), Float(bitPattern: 0x3F81_0000), Float(bitPattern: 0x0001_0000),
            .infinity,
        ], "BF16 values")
        XCTAssertTrue(read[9].isNaN)
    }

    func testWriterRefusesInconsistentInputWithoutCreatingAFile() throws {
        let url = folder.url.appendingPathComponent("bad.safetensors")
        let cases: [([(name: String, shape: [Int], values: [Float])], SafetensorsDType, String)] = [
            ([(name: "w", shape: [2, 2], values: [1, 2, 3])], .F32, #"tensor "w" has shape [2, 2] (4 elements) but 3 values"#),
            ([(name: "w", shape: [1], values: [1]), (name: "w", shape: [1], values: [2])], .F32, #"tensor "w" is given twice"#),
            ([(name: "w", shape: [-1], values: [])], .F32, "invalid shape [-1]"),
            ([(name: "__metadata__", shape: [], values: [1])], .F32, "reserved"),
            ([(name: "w", shape: [1], values: [1])], .I32, "cannot write dtype I32"),
        ]
        for (tensors, dtype, fragment) in cases {
            XCTAssertThrowsError(try SafetensorsWriter.write(tensors, dtype: dtype, to: url)) { error in
                let message = (error as? CLIPError)?.message ?? ""
                XCTAssertTrue(message.hasPrefix(url.path + ": "), message)
                XCTAssertTrue(message.contains(fragment), "\(fragment) missing from \(message)")
            }
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.url.path), [])
    }

    func testWriterReplacesAnExistingFileAndLeavesNoTemporaryFiles() throws {
        let url = folder.url.appendingPathComponent("model.safetensors")
        try SafetensorsWriter.write([(name: "old", shape: [1], values: [1])], dtype: .F32, to: url)
        try SafetensorsWriter.write([(name: "new", shape: [1], values: [2])], dtype: .F32, to: url)
        XCTAssertEqual(try SafetensorsFile(url: url).tensorNames, ["new"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.url.path), ["model.safetensors"])
    }

    func testWriterIntoAMissingFolderFailsNamingTheFile() throws {
        let url = folder.url.appendingPathComponent("no/such/folder/model.safetensors")
        XCTAssertThrowsError(try SafetensorsWriter.write([], dtype: .F32, to: url)) { error in
            let message = (error as? CLIPError)?.message ?? ""
            XCTAssertTrue(message.hasPrefix(url.path + ": "), message)
            XCTAssertTrue(message.contains("No such file or directory"), message)
        }
    }
}
