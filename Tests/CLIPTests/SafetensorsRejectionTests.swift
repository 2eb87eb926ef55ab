import Foundation
import TestSupport
import XCTest

@testable import CLIP

/// One test per rule a safetensors file must obey: each builds bytes that break exactly that
/// rule and checks the error names the file (and tensor) and the reason.
final class SafetensorsRejectionTests: XCTestCase {
    private var folder: SafetensorsScratchFolder!

    override func setUpWithError() throws {
        folder = try SafetensorsScratchFolder(self)
    }

    /// A file with one tensor entry `"t": {entry}` followed by `data`.
    private func fileWithEntry(_ entry: String, data: [UInt8] = []) throws -> URL {
        try folder.write(SafetensorsBytes.file(header: "{\"t\":{\(entry)}}", data: data))
    }

    private let validEntry = #""dtype":"F32","shape":[2],"data_offsets":[0,8]"#

    // MARK: - Length prefix

    func testFileShorterThanTheLengthPrefixIsRejected() throws {
        let url = try folder.write([1, 2, 3, 4, 5])
        assertSafetensorsRejected(url, mentioning: ["5 bytes", "too short"])
        assertSafetensorsRejected(try folder.write([], name: "empty.safetensors"), mentioning: ["0 bytes"])
    }

    func testHeaderLengthBeyondTheFileIsRejected() throws {
        let url = try folder.write(SafetensorsBytes.file(header: "{}", declaredLength: 50))
        assertSafetensorsRejected(url, mentioning: ["header length 50", "past the end of the file (10 bytes)"])
    }

    func testHeaderLengthOver100MBIsRejectedWithoutReadingIt() throws {
        for length: UInt64 in [100_000_001, 1 << 63, .max] {
            let url = try folder.write(SafetensorsBytes.file(header: "{}", declaredLength: length))
            assertSafetensorsRejected(url, mentioning: ["header length \(length)", "100000000-byte limit"])
        }
    }

    func testHeaderLengthOfExactly100MBIsAcceptedByTheLengthCheck() throws {
        // The limit is inclusive: the failure must come from the file being too short.
        let url = try folder.write(SafetensorsBytes.file(header: "{}", declaredLength: 100_000_000))
        assertSafetensorsRejected(url, mentioning: ["past the end of the file"])
    }

    // MARK: - Encoding and JSON syntax

    func testHeaderThatIsNotUTF8IsRejected() throws {
        let invalidSequences: [[UInt8]] = [[0xFF], [0xC0, 0xAF] /* overlong "/" */, [0xED, 0xA0, 0x80] /* surrogate */]
        for sequence in invalidSequences {
            let header = Array(#"{"t"#.utf8) + sequence + Array(#"":{}}"#.utf8)
            let url = try folder.write(SafetensorsBytes.file(headerBytes: header))
            assertSafetensorsRejected(url, mentioning: ["not valid UTF-8", "byte 3 of the header"])
        }
    }

    func testHeaderThatIsNotAJSONObjectIsRejected() throws {
        for (header, found) in [("[]", "an array"), (#""text""#, "a string"), ("12", "a number"), ("", "the end"),
                                ("  ", "the end"), ("\0{}", "invalid JSON")] {
            let url = try folder.write(SafetensorsBytes.file(header: header))
            assertSafetensorsRejected(url, mentioning: ["not a JSON object", found])
        }
    }

    func testMalformedJSONIsRejectedWithItsPosition() throws {
        let cases = [
            (#"{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8],}}"#, "expected a quoted key"),
            (#"{"t":{"dtype":"F32" "shape":[2]}}"#, "expected ',' or '}'"),
            (#"{"t":{"dtype":"F32","shape":[2,],"data_offsets":[0,8]}}"#, "shape[1] must be a non-negative integer, found invalid JSON"),
            (#"{"t":{"dtype":"F32","shape":[02],"data_offsets":[0,8]}}"#, "leading zero"),
            (#"{"__metadata__":{"a":"b"#, "unterminated string"),
            ("{\"__metadata__\":{\"k\":\"tab\tinside\"}}", "control character"),
            (#"{"__metadata__":{"k":"\x"}}"#, "invalid escape"),
            (#"{"__metadata__":{"k":"\ud800"}}"#, "lone high surrogate"),
            (#"{"__metadata__":{"k":"\udc00"}}"#, "lone low surrogate"),
            (#"{"__metadata__":null} x"#, "unexpected content after the top-level object"),
            (#"{"__metadata__":nul}"#, "invalid literal"),
        ]
        for (header, reason) in cases {
            let url = try folder.write(SafetensorsBytes.file(header: header))
            assertSafetensorsRejected(url, mentioning: [reason])
        }
        let url = try folder.write(SafetensorsBytes.file(header: #"{"__metadata__":{"a":"b"#))
        assertSafetensorsRejected(url, mentioning: ["header is not valid JSON: unterminated string at byte 23 of the header"])
    }

    func testDeeplyNestedJSONIsRejectedWithoutRecursing() throws {
        let depth = 1_000_000
        let header = #"{"t":"# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
        let url = try folder.write(SafetensorsBytes.file(header: header))
        assertSafetensorsRejected(url, mentioning: [#"tensor "t""#, "found an array"])
        let metadataURL = try folder.write(SafetensorsBytes.file(
            header: #"{"__metadata__":{"k":"# + String(repeating: "{", count: depth) + "}"))
        assertSafetensorsRejected(metadataURL, mentioning: [#"__metadata__ value for "k" must be a string, found an object"#])
    }

    // MARK: - Metadata

    func testMetadataWithANonStringValueIsRejected() throws {
        for (value, found) in [("1", "a number"), ("true", "a boolean"), ("null", "null"), ("[]", "an array")] {
            let url = try folder.write(SafetensorsBytes.file(header: #"{"__metadata__":{"format":"# + value + "}}"))
            assertSafetensorsRejected(url, mentioning: [#"__metadata__ value for "format" must be a string"#, found])
        }
    }

    func testMetadataThatIsNotAnObjectIsRejected() throws {
        let url = try folder.write(SafetensorsBytes.file(header: #"{"__metadata__":["pt"]}"#))
        assertSafetensorsRejected(url, mentioning: ["__metadata__ must be an object of strings, found an array"])
    }

    func testDuplicateMetadataKeysAreRejected() throws {
        let url = try folder.write(SafetensorsBytes.file(header: #"{"__metadata__":{"format":"pt","format":"np"}}"#))
        assertSafetensorsRejected(url, mentioning: [#"__metadata__ has the key "format" twice"#])
        let twice = try folder.write(SafetensorsBytes.file(header: #"{"__metadata__":{},"__metadata__":{}}"#))
        assertSafetensorsRejected(twice, mentioning: ["__metadata__ appears twice"])
    }

    // MARK: - Tensor entries

    func testDuplicateTensorNamesAreRejected() throws {
        let header = #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        let url = try folder.write(SafetensorsBytes.file(header: header, data: SafetensorsBytes.f32([1, 2])))
        assertSafetensorsRejected(url, mentioning: [#"tensor "w" appears twice"#])
    }

    func testEntryThatIsNotAnObjectIsRejected() throws {
        let url = try folder.write(SafetensorsBytes.file(header: #"{"t":[0,4]}"#))
        assertSafetensorsRejected(url, mentioning: [#"tensor "t": expected an object"#, "found an array"])
    }

    func testMissingDataOffsetsIsRejected() throws {
        let url = try fileWithEntry(#""dtype":"F32","shape":[2]"#, data: SafetensorsBytes.f32([1, 2]))
        assertSafetensorsRejected(url, mentioning: [#"tensor "t": missing "data_offsets""#])
        assertSafetensorsRejected(try fileWithEntry(#""shape":[0],"data_offsets":[0,0]"#), mentioning: [#"missing "dtype""#])
        assertSafetensorsRejected(try fileWithEntry(#""dtype":"F32","data_offsets":[0,0]"#), mentioning: [#"missing "shape""#])
    }

    func testUnexpectedOrRepeatedEntryKeysAreRejected() throws {
        let extra = try fileWithEntry(validEntry + #","offset":0"#, data: SafetensorsBytes.f32([1, 2]))
        assertSafetensorsRejected(extra, mentioning: [#"tensor "t": unexpected key "offset""#])
        let repeated = try fileWithEntry(validEntry + #","dtype":"F16""#, data: SafetensorsBytes.f32([1, 2]))
        assertSafetensorsRejected(repeated, mentioning: [#"tensor "t": key "dtype" appears twice"#])
    }

    func testUnknownDtypeIsRejected() throws {
        let url = try fileWithEntry(#""dtype":"F128","shape":[2],"data_offsets":[0,8]"#, data: SafetensorsBytes.f32([1, 2]))
        assertSafetensorsRejected(url, mentioning: [#"tensor "t": unknown dtype "F128""#])
        let lower = try fileWithEntry(#""dtype":"f32","shape":[2],"data_offsets":[0,8]"#, data: SafetensorsBytes.f32([1, 2]))
        assertSafetensorsRejected(lower, mentioning: [#"unknown dtype "f32""#])
        let number = try fileWithEntry(#""dtype":32,"shape":[2],"data_offsets":[0,8]"#, data: SafetensorsBytes.f32([1, 2]))
        assertSafetensorsRejected(number, mentioning: ["dtype must be a string, found a number"])
    }

    func testNegativeShapeValueIsRejected() throws {
        let url = try fileWithEntry(#""dtype":"F32","shape":[2,-1],"data_offsets":[0,8]"#)
        assertSafetensorsRejected(url, mentioning: [#"tensor "t": shape[1] is -1, which is negative"#])
    }

    func testFractionalShapeValueIsRejected() throws {
        for value in ["2.0", "2e0", "1E+1", "0.5"] {
            let url = try fileWithEntry(#""dtype":"F32","shape":["# + value + #"],"data_offsets":[0,8]"#)
            assertSafetensorsRejected(url, mentioning: [#"tensor "t": shape[0] is \#(value), not an integer"#])
        }
    }

    func testHugeShapeValueIsRejected() throws {
        for value in ["9223372036854775808", "18446744073709551616", "1" + String(repeating: "0", count: 400)] {
            let url = try fileWithEntry(#""dtype":"F32","shape":["# + value + #"],"data_offsets":[0,8]"#)
            assertSafetensorsRejected(url, mentioning: [#"tensor "t": shape[0] is"#, "too large for a 64-bit integer"])
        }
    }

    func testNonNumericShapeValueIsRejected() throws {
        let url = try fileWithEntry(#""dtype":"F32","shape":["2"],"data_offsets":[0,8]"#)
        assertSafetensorsRejected(url, mentioning: [#"tensor "t": shape[0] must be a non-negative integer, found a string"#])
        let notArray = try fileWithEntry(#""dtype":"F32","shape":2,"data_offsets":[0,8]"#)
        assertSafetensorsRejected(notArray, mentioning: ["shape must be an array of non-negative integers, found a number"])
    }

    func testElementCountOverflowIsRejected() throws {
        let url = try fileWithEntry(#""dtype":"U8","shape":[4294967296,4294967296],"data_offsets":[0,0]"#)
        assertSafetensorsRejected(url, mentioning: [#"tensor "t": shape [4294967296, 4294967296] has more elements than fit"#])
    }

    func testByteCountOverflowIsRejected() throws {
        // 2^62 elements fit in Int; 2^62 × 64 bits do not.
        let url = try fileWithEntry(#""dtype":"F64","shape":[4611686018427387904],"data_offsets":[0,0]"#)
        assertSafetensorsRejected(url, mentioning: [#"tensor "t": shape [4611686018427387904] × F64 has more bytes than fit"#])
    }

    func testOffsetsMismatchingShapeAreRejected() throws {
        let name = "vision_model.embeddings.patch_embedding.weight"
        let header = #"{"\#(name)":{"dtype":"F32","shape":[3,4],"data_offsets":[0,12]}}"#
        let url = try folder.write(SafetensorsBytes.file(header: header, data: Array(repeating: 0, count: 12)))
        assertSafetensorsRejected(url, mentioning: [
            #"tensor "\#(name)": data_offsets [0, 12] do not match shape [3, 4] × F32 (48 bytes)"#,
        ])
    }

    func testSubByteTensorThatDoesNotFillWholeBytesIsRejected() throws {
        let url = try fileWithEntry(#""dtype":"F4","shape":[3],"data_offsets":[0,2]"#, data: [0, 0])
        assertSafetensorsRejected(url, mentioning: [#"tensor "t": shape [3] × F4 is 12 bits, not a whole number of bytes"#])
    }

    func testMalformedDataOffsetsAreRejected() throws {
        let three = try fileWithEntry(#""dtype":"F32","shape":[2],"data_offsets":[0,4,8]"#, data: SafetensorsBytes.f32([1, 2]))
        assertSafetensorsRejected(three, mentioning: ["data_offsets must be [begin, end], found 3 numbers"])
        let reversed = try fileWithEntry(#""dtype":"F32","shape":[2],"data_offsets":[8,0]"#, data: SafetensorsBytes.f32([1, 2]))
        assertSafetensorsRejected(reversed, mentioning: ["data_offsets [8, 0] end before they begin"])
        let negative = try fileWithEntry(#""dtype":"F32","shape":[2],"data_offsets":[-8,0]"#)
        assertSafetensorsRejected(negative, mentioning: ["data_offsets[0] is -8, which is negative"])
        let huge = try fileWithEntry(#""dtype":"U8","shape":[2],"data_offsets":[18446744073709551615,1]"#)
        assertSafetensorsRejected(huge, mentioning: ["data_offsets[0] is 18446744073709551615, too large"])
    }

    // MARK: - Layout of the data region

    func testGapBetweenTensorsIsRejected() throws {
        let header = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#
        let url = try folder.write(SafetensorsBytes.file(header: header, data: SafetensorsBytes.f32([1, 2, 3])))
        assertSafetensorsRejected(url, mentioning: [#"tensor "b": data_offsets [8, 12] leave a gap of 4 bytes after tensor "a""#])
    }

    func testGapBeforeTheFirstTensorIsRejected() throws {
        let url = try fileWithEntry(#""dtype":"F32","shape":[1],"data_offsets":[4,8]"#, data: SafetensorsBytes.f32([1, 2]))
        assertSafetensorsRejected(url, mentioning: [#"tensor "t": data_offsets [4, 8] leave 4 unused bytes at the start"#])
    }

    func testOverlappingTensorsAreRejected() throws {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        let url = try folder.write(SafetensorsBytes.file(header: header, data: SafetensorsBytes.f32([1, 2, 3])))
        assertSafetensorsRejected(url, mentioning: [#"tensor "b": data_offsets [4, 12] overlap tensor "a" [0, 8]"#])
    }

    func testTensorsSharingTheSameBytesAreRejected() throws {
        let header = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#
        let url = try folder.write(SafetensorsBytes.file(header: header, data: SafetensorsBytes.f32([1])))
        assertSafetensorsRejected(url, mentioning: [#"tensor "b": data_offsets [0, 4] overlap tensor "a""#])
    }

    func testTrailingBytesAfterTheLastTensorAreRejected() throws {
        let url = try fileWithEntry(validEntry, data: SafetensorsBytes.f32([1, 2]) + [0xAB])
        assertSafetensorsRejected(url, mentioning: ["1 unexpected bytes after the last tensor's data"])
        let noTensors = try folder.write(SafetensorsBytes.file(header: "{}", data: [0]), name: "empty.safetensors")
        assertSafetensorsRejected(noTensors, mentioning: ["1 unexpected bytes"])
    }

    func testTruncatedFileIsRejected() throws {
        let url = folder.url.appendingPathComponent("whole.safetensors")
        try SafetensorsWriter.write([(name: "w", shape: [4, 4], values: (0..<16).map(Float.init))], dtype: .F32, to: url)
        let whole = try [UInt8](Data(contentsOf: url))
        let cutInData = try folder.write(Array(whole.dropLast(10)), name: "cut-data.safetensors")
        assertSafetensorsRejected(cutInData, mentioning: ["tensors need 64 bytes of data", "only 54 remain", "truncated"])
        let cutInHeader = try folder.write(Array(whole.prefix(20)), name: "cut-header.safetensors")
        assertSafetensorsRejected(cutInHeader, mentioning: ["runs past the end of the file (20 bytes)"])
    }

    // MARK: - Files that cannot be opened

    func testMissingFileIsRejectedNamingIt() throws {
        let url = folder.url.appendingPathComponent("absent.safetensors")
        assertSafetensorsRejected(url, mentioning: ["cannot open", "No such file"])
    }

    func testFolderInsteadOfFileIsRejected() throws {
        assertSafetensorsRejected(folder.url, mentioning: ["not a regular file"])
    }

    func testControlCharactersInNamesAreEscapedSoMessagesStayOneLine() throws {
        let url = try folder.write(SafetensorsBytes.file(header: #"{"line\nbreak":{"dtype":"F99","shape":[],"data_offsets":[0,0]}}"#))
        assertSafetensorsRejected(url, mentioning: [#"tensor "line\u000abreak": unknown dtype "F99""#])
    }
}
