import Foundation

/// BERT's WordPiece tokenizer (Chinese-CLIP's text side), giving exactly the ids of
/// `transformers`' `BertTokenizerFast(text, truncation=True, max_length=contextLength)` built
/// from the same `vocab.txt` and `tokenizer_config.json`.
///
/// ```swift
/// let tokenizer = try WordPieceTokenizer(folder: URL(fileURLWithPath: "models/chinese-clip-vocab"))
/// let tokens = tokenizer.encode("戴帽子的人", contextLength: 52)
/// // tokens.ids == [101, 2785, 2384, 2094, 4638, 782, 102]   ([CLS] 戴 帽 子 的 人 [SEP])
/// ```
///
/// Pipeline: the special tokens (`[CLS]`, `[SEP]`, `[UNK]`, `[PAD]`, `[MASK]`) typed literally
/// in the text are matched first and kept as their ids, as `tokenizers`' added vocabulary
/// does; the rest goes through `BasicTokenizer` (clean-up, CJK split, accents, lower-case,
/// punctuation split), then greedy longest-match WordPiece with "##" continuations (a word
/// longer than 100 characters or with an unmatchable piece becomes `[UNK]`), then
/// `[CLS] … [SEP]`.
///
/// Immutable after loading, so one instance may encode from many threads.
public final class WordPieceTokenizer: Sendable {
    /// How the text is normalised before WordPiece (`tokenizer_config.json`).
    public struct Options: Sendable, Equatable {
        /// `do_lower_case` (transformers' default: true).
        public var lowercase: Bool
        /// `strip_accents`; nil (the default) follows `lowercase`, as in transformers.
        public var stripAccents: Bool?
        /// `tokenize_chinese_chars` (default true): every CJK ideograph is its own word.
        public var tokenizeChineseChars: Bool

        public init(lowercase: Bool = true, stripAccents: Bool? = nil, tokenizeChineseChars: Bool = true) {
            self.lowercase = lowercase
            self.stripAccents = stripAccents
            self.tokenizeChineseChars = tokenizeChineseChars
        }
    }

    /// Id of `[CLS]`, first in every encoding (101 in the Chinese-CLIP vocabulary).
    public let clsTokenId: Int32
    /// Id of `[SEP]`, last in every encoding (102).
    public let sepTokenId: Int32
    /// Id of `[UNK]` (100), for words the vocabulary cannot spell.
    public let unknownTokenId: Int32
    /// Number of entries in `vocab.txt`.
    public let vocabularySize: Int
    public let options: Options

    /// Keyed by UTF-8 bytes: Swift's String equality is canonical equivalence, but
    /// `tokenizers` compares tokens byte for byte.
    private let vocabulary: [[UInt8]: Int32]
    /// Special tokens matched literally in the raw text, as scalars, longest first.
    private let specialTokens: [(scalars: [Unicode.Scalar], id: Int32)]
    private let basic: BasicTokenizer
    private static let maxCharactersPerWord = 100

    /// Reads a `vocab.txt` (one token per line, id = line number from 0).
    /// - Throws: `CLIPError` naming the file when it is missing, not UTF-8, or lacks `[CLS]`,
    ///   `[SEP]` or `[UNK]`.
    public init(vocabURL: URL, options: Options = Options()) throws {
        let data: Data
        do {
            data = try Data(contentsOf: vocabURL)
        } catch {
            let reason = FileManager.default.fileExists(atPath: vocabURL.path) ? "cannot be read" : "not found"
            throw CLIPError("\(vocabURL.path): \(reason) (a Chinese-CLIP model folder needs the WordPiece vocab.txt)")
        }
        guard String(data: data, encoding: .utf8) != nil else {
            throw CLIPError("\(vocabURL.path): not UTF-8 text")
        }
        // Lines end at "\n", "\r\n" or "\r" (Python's universal newlines, which transformers
        // reads vocab.txt with), not at every Unicode line separator: the vocabulary holds a
        // U+2028 token that a Unicode-aware split would lose.
        var lines: [[UInt8]] = []
        var line: [UInt8] = []
        var previousWasCR = false
        for byte in data {
            if byte == 0x0A && previousWasCR { previousWasCR = false; continue }
            previousWasCR = byte == 0x0D
            if byte == 0x0A || byte == 0x0D {
                lines.append(line)
                line.removeAll(keepingCapacity: true)
            } else {
                line.append(byte)
            }
        }
        if !line.isEmpty { lines.append(line) }
        var vocabulary = [[UInt8]: Int32]()
        vocabulary.reserveCapacity(lines.count)
        for (id, token) in lines.enumerated() {
            vocabulary[token] = Int32(id)
        }
        func id(_ token: String) throws -> Int32 {
            guard let id = vocabulary[Array(token.utf8)] else {
                throw CLIPError("\(vocabURL.path): no \(token) token; is this a BERT/WordPiece vocab.txt?")
            }
            return id
        }
        clsTokenId = try id("[CLS]")
        sepTokenId = try id("[SEP]")
        unknownTokenId = try id("[UNK]")
        specialTokens = ["[MASK]", "[CLS]", "[SEP]", "[UNK]", "[PAD]"].compactMap { token in
            vocabulary[Array(token.utf8)].map { (Array(token.unicodeScalars), $0) }
        }
        vocabularySize = lines.count
        self.vocabulary = vocabulary
        self.options = options
        basic = BasicTokenizer(lowercase: options.lowercase, stripAccents: options.stripAccents ?? options.lowercase,
                               tokenizeChineseChars: options.tokenizeChineseChars)
    }

    /// Reads `vocab.txt` and, when present, `tokenizer_config.json` from a model folder.
    /// - Throws: `CLIPError` naming the missing or malformed file.
    public convenience init(folder: URL) throws {
        let configURL = folder.appendingPathComponent("tokenizer_config.json")
        let options = FileManager.default.fileExists(atPath: configURL.path)
            ? try Self.options(fromConfig: configURL) : Options()
        try self.init(vocabURL: folder.appendingPathComponent("vocab.txt"), options: options)
    }

    /// The normalisation settings in a `tokenizer_config.json`; absent keys take transformers'
    /// defaults.
    /// - Throws: `CLIPError` naming the file when it is unreadable, not JSON, or a flag is not
    ///   a boolean (or null, for `strip_accents`).
    public static func options(fromConfig url: URL) throws -> Options {
        try JSONConfigFile.load(TokenizerConfigFile.self, from: url, what: "the tokenizer's settings").options
    }

    /// The part of `tokenizer_config.json` that changes ids.
    private struct TokenizerConfigFile: Decodable {
        var options = Options()

        enum CodingKeys: String, CodingKey {
            case lowercase = "do_lower_case"
            case stripAccents = "strip_accents"
            case tokenizeChineseChars = "tokenize_chinese_chars"
        }

        init(from decoder: Swift.Decoder) throws {
            let keys = try decoder.container(keyedBy: CodingKeys.self)
            options.lowercase = try keys.decodeIfPresent(Bool.self, forKey: .lowercase) ?? options.lowercase
            options.stripAccents = try keys.decodeIfPresent(Bool.self, forKey: .stripAccents)
            options.tokenizeChineseChars = try keys.decodeIfPresent(Bool.self, forKey: .tokenizeChineseChars)
                ?? options.tokenizeChineseChars
        }
    }

    /// Encodes `text` as `[CLS] + tokens + [SEP]`, without padding.
    ///
    /// - Parameter contextLength: the most ids returned (52 for Chinese-CLIP). Longer texts
    ///   keep their first `contextLength - 2` tokens (a word's pieces may be cut), then
    ///   `[SEP]`; `truncated` is then true. Values below 2 are treated as 2.
    /// - Returns: ids identical to `BertTokenizerFast` with `truncation=True,
    ///   max_length=contextLength`.
    public func encode(_ text: String, contextLength: Int) -> TokenizedText {
        let budget = max(contextLength, 2) - 2
        var ids: [Int32] = [clsTokenId]
        var truncated = false
        forEachToken(in: text) { token in
            guard ids.count - 1 < budget else {
                truncated = true
                return false
            }
            ids.append(token)
            return true
        }
        ids.append(sepTokenId)
        return TokenizedText(ids: ids, truncated: truncated)
    }

    /// Calls `body` with every token id of `text` (no [CLS]/[SEP]) until it returns false.
    private func forEachToken(in text: String, _ body: (Int32) -> Bool) {
        let scalars = text.unicodeScalars
        var segmentStart = scalars.startIndex
        var index = scalars.startIndex
        var going = true
        func words(upTo end: String.UnicodeScalarView.Index) {
            guard going, segmentStart < end else { return }
            basic.forEachWord(in: Substring(text).unicodeScalars[segmentStart..<end]) { word in
                for id in wordPiece(word) where going { going = body(id) }
                return going
            }
        }
        while index < scalars.endIndex, going {
            if scalars[index] == "[", let (length, id) = specialToken(at: index, in: scalars) {
                words(upTo: index)
                if going { going = body(id) }
                index = scalars.index(index, offsetBy: length)
                segmentStart = index
            } else {
                scalars.formIndex(after: &index)
            }
        }
        words(upTo: scalars.endIndex)
    }

    /// The special token spelled at `index`, if any: (its length in scalars, its id).
    private func specialToken(at index: String.UnicodeScalarView.Index, in scalars: String.UnicodeScalarView) -> (Int, Int32)? {
        for (token, id) in specialTokens {
            var i = index
            var matched = true
            for s in token {
                guard i < scalars.endIndex, scalars[i] == s else { matched = false; break }
                scalars.formIndex(after: &i)
            }
            if matched { return (token.count, id) }
        }
        return nil
    }

    /// Greedy longest-match-first WordPiece of one basic-tokenized word.
    func wordPiece(_ word: ArraySlice<Unicode.Scalar>) -> [Int32] {
        guard word.count <= Self.maxCharactersPerWord else { return [unknownTokenId] }
        var pieces: [Int32] = []
        var start = word.startIndex
        var candidate = [UInt8]()
        while start < word.endIndex {
            var end = word.endIndex
            var found: Int32?
            while start < end {
                candidate.removeAll(keepingCapacity: true)
                if start > word.startIndex { candidate += [0x23, 0x23] }  // "##"
                for scalar in word[start..<end] { UTF8.encode(scalar) { candidate.append($0) } }
                if let id = vocabulary[candidate] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let id = found else { return [unknownTokenId] }
            pieces.append(id)
            start = end
        }
        return pieces
    }
}
