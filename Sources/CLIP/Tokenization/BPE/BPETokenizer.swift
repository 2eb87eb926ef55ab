import Foundation

/// Token ids of one text, ready for the CLIP text encoder.
public struct TokenizedText: Sendable, Equatable {
    /// `[bos] + tokens + [eos]`, never padded, at most the requested context length.
    public var ids: [Int32]
    /// True when tokens were dropped to fit the context length (the EOS is still last).
    public var truncated: Bool

    public init(ids: [Int32], truncated: Bool) {
        self.ids = ids
        self.truncated = truncated
    }
}

/// CLIP's byte-level BPE tokenizer, giving exactly the ids of `transformers`'
/// `CLIPTokenizerFast(text, truncation=True, max_length=contextLength)`.
///
/// ```swift
/// let tokenizer = try BPETokenizer(folder: URL(fileURLWithPath: "models/clip-vocab"))
/// let tokens = tokenizer.encode("a photo of a cat.", contextLength: 77)
/// // tokens.ids == [49406, 320, 1125, 539, 320, 2368, 269, 49407]
/// ```
///
/// The pipeline is the fast tokenizer's: NFC, lower-case, the CLIP split regex (whitespace
/// dropped), UTF-8 bytes as symbols, BPE with "</w>" on each word's last symbol, then BOS/EOS.
///
/// Special-token literals typed in the text ("<|endoftext|>", "<|startoftext|>") are plain
/// text, as with `split_special_tokens=True`: they become ordinary tokens ("<", "|", "endof",
/// "text", …) and never an EOS, which would move the position the text encoder pools at.
///
/// Thread-safe: one instance may encode from many threads (a bounded word cache sits behind a
/// lock).
public final class BPETokenizer: @unchecked Sendable {
    /// Id of `<|startoftext|>`, first in every encoding (49406 in CLIP's vocabulary).
    public let bosTokenId: Int32
    /// Id of `<|endoftext|>`, last in every encoding (49407 in CLIP's vocabulary).
    public let eosTokenId: Int32

    private let vocabulary: BPEVocabulary
    private let cacheLock = NSLock()
    private var cache = [[UInt8]: [Int32]]()
    private static let cacheCapacity = 20_000

    /// Reads a `vocab.json` (token → id) and a `merges.txt` (ranked pairs).
    /// - Throws: `CLIPError` naming the file when it is missing, malformed, or lacks the
    ///   special tokens, a byte token or a merged token.
    public init(vocabURL: URL, mergesURL: URL) throws {
        vocabulary = try BPEVocabulary(vocabURL: vocabURL, mergesURL: mergesURL)
        bosTokenId = vocabulary.bosTokenId
        eosTokenId = vocabulary.eosTokenId
    }

    /// Reads `vocab.json` and `merges.txt` from a model folder (a Hugging Face snapshot).
    /// - Throws: `CLIPError` naming the missing or malformed file.
    public convenience init(folder: URL) throws {
        try self.init(
            vocabURL: folder.appendingPathComponent("vocab.json"),
            mergesURL: folder.appendingPathComponent("merges.txt"))
    }

    /// Encodes `text` as `[bos] + tokens + [eos]`, without padding.
    ///
    /// - Parameter contextLength: the most ids returned (77 for CLIP). When the text needs
    ///   more, the tokens are cut after `contextLength - 2` and the EOS is appended, so the
    ///   result has exactly `contextLength` ids and `truncated` is true. Values below 2 are
    ///   treated as 2 (BOS and EOS always fit).
    /// - Returns: ids identical to `CLIPTokenizerFast` with `truncation=True,
    ///   max_length=contextLength, split_special_tokens=True`.
    public func encode(_ text: String, contextLength: Int) -> TokenizedText {
        let tokenBudget = max(contextLength, 2) - 2
        var ids: [Int32] = [bosTokenId]
        ids.reserveCapacity(min(tokenBudget, 2 * text.utf8.count) + 2)
        var truncated = false

        var scalars = [Unicode.Scalar]()
        scalars.reserveCapacity(text.utf8.count)
        TextNormalizer.normalize(text, into: &scalars)

        var wordBytes = [UInt8]()
        scalars.withUnsafeBufferPointer { buffer in
            PreTokenizer.forEachWord(in: buffer) { range in
                wordBytes.removeAll(keepingCapacity: true)
                for index in range {
                    UTF8.encode(buffer[index]) { wordBytes.append($0) }
                }
                let wordIds = bpe(wordBytes)
                let room = tokenBudget - (ids.count - 1)
                if wordIds.count > room {
                    ids.append(contentsOf: wordIds.prefix(room))
                    truncated = true
                    return false
                }
                ids.append(contentsOf: wordIds)
                return true
            }
        }
        ids.append(eosTokenId)
        return TokenizedText(ids: ids, truncated: truncated)
    }

    /// Token ids of one pre-tokenized word, given as its UTF-8 bytes (never empty).
    private func bpe(_ word: [UInt8]) -> [Int32] {
        cacheLock.lock()
        let cached = cache[word]
        cacheLock.unlock()
        if let cached { return cached }

        var symbols = [Int32](unsafeUninitializedCapacity: word.count) { buffer, initialized in
            for (index, byte) in word.enumerated() {
                buffer[index] = index == word.count - 1 ? vocabulary.lastByteIds[Int(byte)] : vocabulary.byteIds[Int(byte)]
            }
            initialized = word.count
        }
        vocabulary.merger.merge(&symbols)

        cacheLock.lock()
        if cache.count < Self.cacheCapacity { cache[word] = symbols }
        cacheLock.unlock()
        return symbols
    }
}
