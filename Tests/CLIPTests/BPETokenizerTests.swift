import Foundation
import TestSupport
import XCTest

@testable import CLIP

/// Pins `BPETokenizer` to `transformers`' `CLIPTokenizerFast` (see
/// Fixtures/tokenizer/make_tokenizer_fixtures.py) using the vocabulary shipped in
/// models/clip-vocab.
final class BPETokenizerTests: XCTestCase {
    private struct FixtureCase: Decodable {
        let text: String
        let ids: [Int32]
    }

    private struct FixtureFile: Decodable {
        let max_length: Int
        let cases: [FixtureCase]
    }

    private static let contextLength = 77

    /// The repository's models/clip-vocab, found by walking up from this file to Package.swift.
    private static let vocabularyFolder: URL? = {
        var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
                return folder.appendingPathComponent("models/clip-vocab")
            }
            folder = folder.deletingLastPathComponent()
        }
        return nil
    }()

    private static let sharedTokenizer: Result<BPETokenizer, Error> = Result {
        guard let folder = vocabularyFolder else { throw CLIPError("package root not found above \(#filePath)") }
        return try BPETokenizer(folder: folder)
    }

    private func tokenizer() throws -> BPETokenizer {
        try Self.sharedTokenizer.get()
    }

    private func fixtureCases() throws -> [FixtureCase] {
        let fixtures = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let data = try Data(contentsOf: fixtures.appendingPathComponent("tokenizer/tokenizer_cases.json"))
        let file = try JSONDecoder().decode(FixtureFile.self, from: data)
        XCTAssertEqual(file.max_length, Self.contextLength)
        return file.cases
    }

    // MARK: - Agreement with CLIPTokenizerFast

    func testEveryFixtureTextGetsTheIdsOfCLIPTokenizerFast() throws {
        let tokenizer = try tokenizer()
        let cases = try fixtureCases()
        XCTAssertGreaterThanOrEqual(cases.count, 600)
        var mismatches = [String]()
        for fixture in cases {
            let encoded = tokenizer.encode(fixture.text, contextLength: Self.contextLength)
            if encoded.ids != fixture.ids {
                mismatches.append("\(fixture.text.debugDescription): expected \(fixture.ids), got \(encoded.ids)")
            }
        }
        XCTAssertTrue(
            mismatches.isEmpty,
            "\(mismatches.count) of \(cases.count) texts differ from CLIPTokenizerFast:\n"
                + mismatches.prefix(20).joined(separator: "\n"))
    }

    func testTruncatedFlagIsSetExactlyForFixtureTextsThatOverflow() throws {
        let tokenizer = try tokenizer()
        for fixture in try fixtureCases() {
            let encoded = tokenizer.encode(fixture.text, contextLength: Self.contextLength)
            // The reference ids alone cannot tell "exactly 77" from "cut to 77": ask for more room.
            let untruncated = tokenizer.encode(fixture.text, contextLength: 100_000)
            XCTAssertEqual(encoded.truncated, untruncated.ids.count > Self.contextLength, fixture.text.debugDescription)
            XCTAssertFalse(untruncated.truncated, fixture.text.debugDescription)
        }
    }

    func testPhotoPromptGivesTheKnownCLIPIds() throws {
        let encoded = try tokenizer().encode("a photo of a cat.", contextLength: 77)
        XCTAssertEqual(encoded, TokenizedText(ids: [49406, 320, 1125, 539, 320, 2368, 269, 49407], truncated: false))
    }

    func testBosAndEosAreCLIPSpecialTokenIds() throws {
        let tokenizer = try tokenizer()
        XCTAssertEqual(tokenizer.bosTokenId, 49406)
        XCTAssertEqual(tokenizer.eosTokenId, 49407)
    }

    func testEmptyAndWhitespaceOnlyTextsAreBosThenEos() throws {
        let tokenizer = try tokenizer()
        for text in ["", " ", "\t\n \u{3000}\u{A0}"] {
            XCTAssertEqual(tokenizer.encode(text, contextLength: 77), TokenizedText(ids: [49406, 49407], truncated: false))
        }
    }

    // MARK: - Special-token literals

    func testTypedEndOfTextLiteralIsPlainTextNotAnEos() throws {
        let ids = try tokenizer().encode("hi <|endoftext|> there", contextLength: 77).ids
        // "hi", "<", "|", "endof", "text", "|", ">", "there" as split_special_tokens=True gives.
        XCTAssertEqual(ids, [49406, 1883, 27, 347, 40786, 4160, 91, 285, 997, 49407])
        XCTAssertEqual(ids.filter { $0 == 49407 }.count, 1, "only the appended EOS may carry the EOS id")
    }

    func testTypedStartOfTextLiteralIsNotABos() throws {
        let ids = try tokenizer().encode("<|startoftext|>cat", contextLength: 77).ids
        XCTAssertEqual(ids.filter { $0 == 49406 }.count, 1)
        XCTAssertEqual(ids.first, 49406)
    }

    // MARK: - Truncation

    func testOverlongTextIsCutToContextLengthKeepingEos() throws {
        let tokenizer = try tokenizer()
        let full = tokenizer.encode(String(repeating: "dog ", count: 200), contextLength: 1000)
        XCTAssertEqual(full.ids.count, 202)
        let cut = tokenizer.encode(String(repeating: "dog ", count: 200), contextLength: 77)
        XCTAssertTrue(cut.truncated)
        XCTAssertEqual(cut.ids.count, 77)
        XCTAssertEqual(cut.ids.last, tokenizer.eosTokenId)
        XCTAssertEqual(Array(cut.ids.dropLast()), Array(full.ids.prefix(76)))
    }

    func testTextFillingTheContextExactlyIsNotTruncated() throws {
        let tokenizer = try tokenizer()
        let exact = tokenizer.encode(Array(repeating: "cat", count: 75).joined(separator: " "), contextLength: 77)
        XCTAssertEqual(exact.ids.count, 77)
        XCTAssertFalse(exact.truncated)
        let oneMore = tokenizer.encode(Array(repeating: "cat", count: 76).joined(separator: " "), contextLength: 77)
        XCTAssertEqual(oneMore.ids.count, 77)
        XCTAssertTrue(oneMore.truncated)
    }

    func testTruncationCanCutInsideAMultiTokenWord() throws {
        let tokenizer = try tokenizer()
        let text = String(repeating: "🐶", count: 40)  // one word, many byte-level tokens
        let full = tokenizer.encode(text, contextLength: 10_000)
        let cut = tokenizer.encode(text, contextLength: 16)
        XCTAssertGreaterThan(full.ids.count, 16)
        XCTAssertEqual(cut.ids, Array(full.ids.prefix(15)) + [tokenizer.eosTokenId])
        XCTAssertTrue(cut.truncated)
    }

    func testContextLengthBelowTwoStillGivesBosAndEos() throws {
        let tokenizer = try tokenizer()
        XCTAssertEqual(tokenizer.encode("a cat", contextLength: 0), TokenizedText(ids: [49406, 49407], truncated: true))
        XCTAssertEqual(tokenizer.encode("", contextLength: 1), TokenizedText(ids: [49406, 49407], truncated: false))
    }

    // MARK: - Concurrency

    func testConcurrentEncodingGivesTheSameIdsAsSerialEncoding() throws {
        let tokenizer = try BPETokenizer(folder: try XCTUnwrap(Self.vocabularyFolder))  // cold cache
        let cases = try fixtureCases()
        let results = UnsafeMutableBufferPointer<TokenizedText?>.allocate(capacity: cases.count)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: cases.count) { index in
            results[index] = tokenizer.encode(cases[index].text, contextLength: 77)
        }
        for (index, fixture) in cases.enumerated() {
            XCTAssertEqual(results[index]?.ids, fixture.ids, fixture.text.debugDescription)
        }
    }

    // MARK: - Bad files

    func testMissingVocabFileIsRejectedNamingTheFile() throws {
        let folder = try temporaryFolder(self)
        XCTAssertThrowsError(try BPETokenizer(folder: folder)) { error in
            let message = (error as? CLIPError)?.message ?? ""
            XCTAssertTrue(message.contains(folder.appendingPathComponent("vocab.json").path), message)
        }
    }

    func testMalformedVocabJSONIsRejectedNamingTheFile() throws {
        let folder = try temporaryFolder(self)
        let vocab = folder.appendingPathComponent("vocab.json")
        try Data("{\"a\": 0, \"b\": }".utf8).write(to: vocab)
        try Data("#version: 0.2\n".utf8).write(to: folder.appendingPathComponent("merges.txt"))
        XCTAssertThrowsError(try BPETokenizer(folder: folder)) { error in
            let message = (error as? CLIPError)?.message ?? ""
            XCTAssertTrue(message.contains(vocab.path), message)
            XCTAssertFalse(message.contains("\n"), "one-line message expected: \(message)")
        }
    }

    func testVocabWithoutSpecialTokensIsRejectedNamingTheFile() throws {
        let folder = try temporaryFolder(self)
        let vocab = folder.appendingPathComponent("vocab.json")
        try Data("{\"a\": 0}".utf8).write(to: vocab)
        try Data("#version: 0.2\n".utf8).write(to: folder.appendingPathComponent("merges.txt"))
        XCTAssertThrowsError(try BPETokenizer(folder: folder)) { error in
            let message = (error as? CLIPError)?.message ?? ""
            XCTAssertTrue(message.contains(vocab.path) && message.contains("<|startoftext|>"), message)
        }
    }

    func testMergeOfUnknownTokensIsRejectedNamingTheMergesFileAndLine() throws {
        let folder = try temporaryFolder(self)
        let shipped = try XCTUnwrap(Self.vocabularyFolder)
        try FileManager.default.copyItem(
            at: shipped.appendingPathComponent("vocab.json"), to: folder.appendingPathComponent("vocab.json"))
        let merges = folder.appendingPathComponent("merges.txt")
        try Data("#version: 0.2\ni n\nnot_a_token other\n".utf8).write(to: merges)
        XCTAssertThrowsError(try BPETokenizer(folder: folder)) { error in
            let message = (error as? CLIPError)?.message ?? ""
            XCTAssertTrue(message.contains(merges.path) && message.contains("line 3"), message)
        }
    }

    func testMergeLineWithoutTwoPartsIsRejectedNamingTheMergesFile() throws {
        let folder = try temporaryFolder(self)
        let shipped = try XCTUnwrap(Self.vocabularyFolder)
        try FileManager.default.copyItem(
            at: shipped.appendingPathComponent("vocab.json"), to: folder.appendingPathComponent("vocab.json"))
        let merges = folder.appendingPathComponent("merges.txt")
        try Data("#version: 0.2\ni n t\n".utf8).write(to: merges)
        XCTAssertThrowsError(try BPETokenizer(folder: folder)) { error in
            let message = (error as? CLIPError)?.message ?? ""
            XCTAssertTrue(message.contains(merges.path) && message.contains("line 2"), message)
        }
    }

    // MARK: - Vocabulary JSON reader

    func testVocabularyReaderDecodesEscapesAndSurrogatePairs() throws {
        let json = #"{"a\"b": 1, "\u00e9": 2, "\ud83d\ude00": 3, "\\n\/": 4, "é": 5}"#
        let parsed = try VocabularyJSON.parse(Array(json.utf8), fileName: "v.json")
        XCTAssertEqual(parsed[Array("a\"b".utf8)], 1)
        XCTAssertEqual(parsed[Array("\u{e9}".utf8)], 5, "a later duplicate key wins, as in Python")
        XCTAssertEqual(parsed[Array("😀".utf8)], 3)
        XCTAssertEqual(parsed[Array("\\n/".utf8)], 4)
        XCTAssertEqual(parsed.count, 4)
    }

    func testVocabularyReaderRejectsALoneHighSurrogate() {
        XCTAssertThrowsError(try VocabularyJSON.parse(Array(#"{"\ud83d": 1}"#.utf8), fileName: "v.json")) { error in
            XCTAssertTrue((error as? CLIPError)?.message.hasPrefix("v.json: ") ?? false, "\(error)")
        }
    }
}
