import Foundation
import TestSupport
import XCTest
@testable import CLIP

/// Golden tests against transformers' `BertTokenizerFast` built from models/chinese-clip-vocab
/// (fixtures: Fixtures/chinese_clip/make_chinese_clip_fixtures.py). Ids must be identical.
final class ChineseCLIPTokenizerTests: XCTestCase {
    struct Cases: Decodable {
        struct Case: Decodable { var text: String; var ids: [Int32]; var untruncated: [Int32] }
        var max_length: Int
        var cases: [Case]
    }

    static let vocabulary = SourceTree.root.appendingPathComponent("models/chinese-clip-vocab")

    func cases() throws -> Cases {
        let url = SourceTree.fixtures.appendingPathComponent("chinese_clip/tokenizer_cases.json")
        return try JSONDecoder().decode(Cases.self, from: Data(contentsOf: url))
    }

    func testIdsMatchBertTokenizerFastOnEveryFixtureStringAtContext52() throws {
        let tokenizer = try WordPieceTokenizer(folder: Self.vocabulary)
        let file = try cases()
        XCTAssertEqual(file.max_length, ChineseCLIPConfig.trainedContextLength)
        XCTAssertGreaterThanOrEqual(file.cases.count, 300)
        var mismatches = 0
        for c in file.cases {
            let got = tokenizer.encode(c.text, contextLength: file.max_length)
            if got.ids != c.ids {
                mismatches += 1
                XCTFail("\(c.text.debugDescription): got \(got.ids), transformers \(c.ids)")
            }
            XCTAssertEqual(got.truncated, c.untruncated.count > file.max_length, c.text.debugDescription)
        }
        XCTAssertEqual(mismatches, 0)
    }

    func testUntruncatedIdsMatchToo() throws {
        let tokenizer = try WordPieceTokenizer(folder: Self.vocabulary)
        for c in try cases().cases {
            let got = tokenizer.encode(c.text, contextLength: 100_000)
            XCTAssertEqual(got.ids, c.untruncated, c.text.debugDescription)
            XCTAssertFalse(got.truncated)
        }
    }

    func testFixtureCoversTheCategoriesTheIssueNames() throws {
        let texts = try cases().cases.map(\.text)
        func count(_ predicate: (String) -> Bool) -> Int { texts.filter(predicate).count }
        let hasHan: (String) -> Bool = { $0.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) } }
        XCTAssertGreaterThan(count(hasHan), 150, "Chinese")
        XCTAssertGreaterThan(count { hasHan($0) && $0.unicodeScalars.contains { ("a"..."z").contains($0) } }, 40, "mixed")
        let fullWidth = Set("，。！？；：、“”‘’（）【】《》…—·～｜＼".unicodeScalars)
        let halfWidth = Set(",.!?;:'\"()[]<>-_/\\@#$%^&*+=~`|".unicodeScalars)
        XCTAssertGreaterThan(count { $0.unicodeScalars.contains(where: fullWidth.contains) }, 40, "full-width punctuation")
        XCTAssertGreaterThan(count { $0.unicodeScalars.contains(where: halfWidth.contains) }, 40, "half-width punctuation")
        XCTAssertGreaterThan(count { $0.unicodeScalars.contains { $0.properties.isEmojiPresentation } }, 20, "emoji")
        XCTAssertGreaterThan(count { $0.unicodeScalars.contains { ("0"..."9").contains($0) || ("０"..."９").contains($0) } }, 40, "digits")
        XCTAssertGreaterThan(try cases().cases.filter { $0.untruncated.count > 52 }.count, 20, "truncated")
    }

    func testKnownIdsForChineseClassNames() throws {
        let tokenizer = try WordPieceTokenizer(folder: Self.vocabulary)
        // [CLS] 戴 帽 子 的 人 [SEP]
        XCTAssertEqual(tokenizer.encode("戴帽子的人", contextLength: 52).ids, [101, 2785, 2384, 2094, 4638, 782, 102])
        XCTAssertEqual(tokenizer.encode("", contextLength: 52), TokenizedText(ids: [101, 102], truncated: false))
        XCTAssertEqual(tokenizer.vocabularySize, 21128)
        XCTAssertEqual([tokenizer.clsTokenId, tokenizer.sepTokenId, tokenizer.unknownTokenId], [101, 102, 100])
    }

    func testTruncationKeepsSEPLastAndCutsInsideAWord() throws {
        let tokenizer = try WordPieceTokenizer(folder: Self.vocabulary)
        let cut = tokenizer.encode(String(repeating: "长", count: 60), contextLength: 52)
        XCTAssertEqual(cut.ids.count, 52)
        XCTAssertEqual(cut.ids.first, 101)
        XCTAssertEqual(cut.ids.last, 102)
        XCTAssertTrue(cut.truncated)
        XCTAssertEqual(tokenizer.encode("长颈鹿", contextLength: 3).ids, [101, 7270, 102])
        XCTAssertEqual(tokenizer.encode("长颈鹿", contextLength: 0).ids, [101, 102], "below 2 is treated as 2")
    }

    func testTokenizerConfigFlagsAreRead() throws {
        let folder = try temporaryFolder(self)
        try FileManager.default.copyItem(at: Self.vocabulary.appendingPathComponent("vocab.txt"),
                                         to: folder.appendingPathComponent("vocab.txt"))
        let config = folder.appendingPathComponent("tokenizer_config.json")
        try Data(#"{"do_lower_case": false, "strip_accents": null, "tokenize_chinese_chars": true}"#.utf8).write(to: config)
        let cased = try WordPieceTokenizer(folder: folder)
        XCTAssertEqual(cased.options, .init(lowercase: false, stripAccents: nil, tokenizeChineseChars: true))
        // Upper-case letters are not in this uncased vocabulary: "Cat" is [UNK] when not lower-cased.
        XCTAssertEqual(cased.encode("Cat", contextLength: 52).ids, [101, 100, 102])
        try FileManager.default.removeItem(at: config)
        XCTAssertEqual(try WordPieceTokenizer(folder: folder).encode("Cat", contextLength: 52).ids,
                       try WordPieceTokenizer(folder: Self.vocabulary).encode("cat", contextLength: 52).ids,
                       "without tokenizer_config.json transformers' defaults apply (lower-case)")
        try Data(#"{"do_lower_case": "yes"}"#.utf8).write(to: config)
        assertThrowsMessage(["tokenizer_config.json", "do_lower_case"]) { _ = try WordPieceTokenizer(folder: folder) }
    }

    func testMissingOrForeignVocabularyIsOneErrorLineNamingTheFile() throws {
        let folder = try temporaryFolder(self)
        assertThrowsMessage(["vocab.txt", "not found"]) { _ = try WordPieceTokenizer(folder: folder) }
        try Data("hello\nworld\n".utf8).write(to: folder.appendingPathComponent("vocab.txt"))
        assertThrowsMessage(["vocab.txt", "[CLS]"]) { _ = try WordPieceTokenizer(folder: folder) }
        try Data([0x5B, 0xFF, 0xFE, 0x0A]).write(to: folder.appendingPathComponent("vocab.txt"))
        assertThrowsMessage(["vocab.txt", "not UTF-8"]) { _ = try WordPieceTokenizer(folder: folder) }
    }

    func testCharacterTablesAreSortedAndDisjoint() {
        for ranges in [BasicTokenizer.removedRanges, BasicTokenizer.whitespaceRanges, BasicTokenizer.chineseRanges,
                       BasicTokenizer.punctuationRanges, BasicTokenizer.nonspacingMarkRanges] {
            for (a, b) in zip(ranges, ranges.dropFirst()) {
                XCTAssertLessThan(a.upperBound, b.lowerBound)
            }
        }
        // tokenizers' CJK table skips U+2B820...U+2B91F (Google BERT's list does not).
        XCTAssertFalse(BasicTokenizer.contains(BasicTokenizer.chineseRanges, 0x2B820))
        XCTAssertTrue(BasicTokenizer.contains(BasicTokenizer.chineseRanges, 0x2B920))
    }
}
