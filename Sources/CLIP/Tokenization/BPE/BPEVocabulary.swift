import Foundation

/// The two files of a byte-level BPE tokenizer, read into the tables the encoder needs.
struct BPEVocabulary: Sendable {
    static let endOfWordSuffix = Array("</w>".utf8)

    /// Token id of each byte as the first/middle symbol of a word.
    let byteIds: [Int32]
    /// Token id of each byte as the last symbol of a word (with "</w>").
    let lastByteIds: [Int32]
    let merger: BPEMerger
    let bosTokenId: Int32
    let eosTokenId: Int32

    /// - Throws: `CLIPError` naming the file that is missing, unreadable or malformed.
    init(vocabURL: URL, mergesURL: URL) throws {
        let vocabName = vocabURL.path
        let tokenIds = try VocabularyJSON.parse(Self.read(vocabURL), fileName: vocabName)

        func id(of token: [UInt8], _ role: String) throws -> Int32 {
            guard let id = tokenIds[token] else {
                throw CLIPError("\(vocabName): \(role) \"\(String(decoding: token, as: UTF8.self))\" is not in the vocabulary")
            }
            return id
        }
        bosTokenId = try id(of: Array("<|startoftext|>".utf8), "special token")
        eosTokenId = try id(of: Array("<|endoftext|>".utf8), "special token")
        var byteIds = [Int32](), lastByteIds = [Int32]()
        for byte in 0...255 {
            byteIds.append(try id(of: ByteUnicode.tokenBytes(for: UInt8(byte)), "byte token"))
            lastByteIds.append(try id(of: ByteUnicode.tokenBytes(for: UInt8(byte), suffix: Self.endOfWordSuffix), "byte token"))
        }
        self.byteIds = byteIds
        self.lastByteIds = lastByteIds
        merger = BPEMerger(merges: try Self.readMerges(mergesURL, tokenIds: tokenIds))
    }

    private static func read(_ url: URL) throws -> [UInt8] {
        do {
            return Array(try Data(contentsOf: url))
        } catch {
            throw CLIPError("\(url.path): cannot read the file (\(error.localizedDescription))")
        }
    }

    /// `merges.txt`: an optional "#version" first line, then one "left right" pair per line in
    /// rank order, both halves and their concatenation being vocabulary tokens.
    private static func readMerges(_ url: URL, tokenIds: [[UInt8]: Int32]) throws -> [UInt64: UInt64] {
        let bytes = try read(url)
        var merges = [UInt64: UInt64](minimumCapacity: 65536)
        var rank = 0
        var lineNumber = 0
        for rawLine in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.last == UInt8(ascii: "\r") ? rawLine.dropLast() : rawLine
            if line.isEmpty || (lineNumber == 1 && line.starts(with: Array("#version".utf8))) { continue }
            let parts = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw CLIPError("\(url.path): line \(lineNumber) is not a merge \"left right\"")
            }
            let left = Array(parts[0]), right = Array(parts[1])
            guard let leftId = tokenIds[left], let rightId = tokenIds[right], let mergedId = tokenIds[left + right] else {
                throw CLIPError("\(url.path): line \(lineNumber) merges tokens that are not in the vocabulary")
            }
            let key = BPEMerger.key(leftId, rightId)
            // As in `tokenizers` (a HashMap built in file order), a repeated pair keeps its last rank.
            merges[key] = BPEMerger.value(rank: rank, mergedId: mergedId)
            rank += 1
        }
        return merges
    }
}
