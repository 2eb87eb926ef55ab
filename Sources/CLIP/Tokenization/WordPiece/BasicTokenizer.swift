import Foundation

/// BERT's basic tokenization exactly as `BertTokenizerFast` runs it (`tokenizers`'
/// `BertNormalizer` then `BertPreTokenizer`), producing the words WordPiece then splits.
///
/// Order matters and is the Rust one, not the slow Python tokenizer's: drop control
/// characters and turn whitespace into spaces, surround CJK ideographs with spaces, strip
/// accents (NFD, then drop nonspacing marks), lower-case scalar by scalar, then split on
/// whitespace and isolate every punctuation character. Character classes come from
/// `BasicTokenizerTables.swift`, measured from `tokenizers` itself, because its Unicode
/// tables are older than Swift's.
struct BasicTokenizer: Sendable {
    /// `do_lower_case`.
    var lowercase = true
    /// `strip_accents`; transformers' `null` means "same as `lowercase`".
    var stripAccents = true
    /// `tokenize_chinese_chars`.
    var tokenizeChineseChars = true

    /// Calls `body` with each word of `text` (never empty) in order, until it returns false.
    func forEachWord(in text: Substring.UnicodeScalarView, _ body: (ArraySlice<Unicode.Scalar>) -> Bool) {
        let scalars = normalized(text)
        var start = 0
        var index = 0
        func flush(_ end: Int) -> Bool {
            defer { start = end }
            return end > start ? body(scalars[start..<end]) : true
        }
        while index < scalars.count {
            let v = scalars[index].value
            if Self.isSpace(v) {
                guard flush(index) else { return }
                start = index + 1
            } else if Self.isPunctuation(v) {
                guard flush(index), body(scalars[index...index]) else { return }
                start = index + 1
            }
            index += 1
        }
        _ = flush(scalars.count)
    }

    /// The normalizer's output for `text`.
    func normalized(_ text: Substring.UnicodeScalarView) -> [Unicode.Scalar] {
        var out = [Unicode.Scalar]()
        out.reserveCapacity(text.count + 8)
        let space = Unicode.Scalar(0x20)!
        var mayDecompose = false
        for scalar in text {
            let v = scalar.value
            if Self.isRemoved(v) { continue }
            if v == 0x20 || Self.contains(Self.whitespaceRanges, v) {
                out.append(space)
            } else if tokenizeChineseChars && v >= 0x3400 && Self.contains(Self.chineseRanges, v) {
                out.append(space)
                out.append(scalar)
                out.append(space)
            } else {
                // No scalar below U+00C0 has a canonical decomposition or is a nonspacing mark.
                mayDecompose = mayDecompose || v >= 0xC0
                out.append(scalar)
            }
        }
        if stripAccents && mayDecompose {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: out)
            let decomposed = String(view).decomposedStringWithCanonicalMapping
            out.removeAll(keepingCapacity: true)
            for scalar in decomposed.unicodeScalars where !Self.contains(Self.nonspacingMarkRanges, scalar.value) {
                out.append(scalar)
            }
        }
        if lowercase {
            var lowered = [Unicode.Scalar]()
            lowered.reserveCapacity(out.count)
            for scalar in out {
                let v = scalar.value
                if v < 128 {
                    lowered.append(v >= 65 && v <= 90 ? Unicode.Scalar(UInt8(v + 32)) : scalar)
                } else if scalar.properties.changesWhenLowercased {
                    // Full, context-free mapping, as Rust's `char::to_lowercase`.
                    lowered.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
                } else {
                    lowered.append(scalar)
                }
            }
            out = lowered
        }
        return out
    }

    // MARK: Character classes

    @inline(__always)
    static func isRemoved(_ v: UInt32) -> Bool {
        if v < 0x80 { return (v < 0x20 && v != 0x09 && v != 0x0A && v != 0x0D) || v == 0x7F }
        return contains(removedRanges, v)
    }

    @inline(__always)
    static func isSpace(_ v: UInt32) -> Bool {
        v == 0x20 || (v >= 0x09 && contains(whitespaceRanges, v))
    }

    @inline(__always)
    static func isPunctuation(_ v: UInt32) -> Bool {
        contains(punctuationRanges, v)
    }

    static func contains(_ ranges: [ClosedRange<UInt32>], _ v: UInt32) -> Bool {
        ranges.sortedRangesContain(v)
    }
}
