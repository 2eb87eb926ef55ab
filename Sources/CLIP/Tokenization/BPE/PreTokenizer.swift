/// CLIP's pre-tokenizer as `CLIPTokenizerFast` runs it: the split regex
/// `<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+`
/// keeping the matches and dropping what lies between (whitespace), followed by the GPT-2
/// split of the `ByteLevel` pre-tokenizer.
///
/// The second split changes only the two special-token literals: their match is cut into
/// "<|", the name and "|>". Every other match is already a single letter run, digit,
/// contraction or symbol run, which the GPT-2 regex leaves whole.
enum PreTokenizer {
    private static let specialLiterals: [[Unicode.Scalar]] = ["<|startoftext|>", "<|endoftext|>"].map {
        Array($0.unicodeScalars)
    }

    /// Calls `body` with each word (a range of `scalars`) in order; stops early when `body`
    /// returns false. `scalars` must already be normalized (lower-cased).
    static func forEachWord(in scalars: UnsafeBufferPointer<Unicode.Scalar>, _ body: (Range<Int>) -> Bool) {
        var index = 0
        let count = scalars.count
        while index < count {
            let scalar = scalars[index]
            let kind = TokenizerCharacterClass.of(scalar)
            if kind == .whitespace {
                index += 1
                continue
            }
            if scalar == "<", let literalLength = specialLiteralLength(scalars, at: index) {
                // "<|", name, "|>": the ByteLevel split of the literal.
                let end = index + literalLength
                guard body(index..<(index + 2)), body((index + 2)..<(end - 2)), body((end - 2)..<end) else { return }
                index = end
                continue
            }
            if scalar == "'", let contractionLength = contractionLength(scalars, at: index) {
                guard body(index..<(index + contractionLength)) else { return }
                index += contractionLength
                continue
            }
            var end = index + 1
            switch kind {
            case .letter:
                while end < count, TokenizerCharacterClass.of(scalars[end]) == .letter { end += 1 }
            case .number:
                break  // `[\p{N}]`: every digit is a word of its own.
            case .other, .whitespace:
                while end < count, TokenizerCharacterClass.of(scalars[end]) == .other { end += 1 }
            }
            guard body(index..<end) else { return }
            index = end
        }
    }

    private static func specialLiteralLength(_ scalars: UnsafeBufferPointer<Unicode.Scalar>, at index: Int) -> Int? {
        for literal in specialLiterals where index + literal.count <= scalars.count {
            var matches = true
            for offset in 1..<literal.count where scalars[index + offset] != literal[offset] {
                matches = false
                break
            }
            if matches { return literal.count }
        }
        return nil
    }

    /// Length of `'s|'t|'re|'ve|'m|'ll|'d` at `index` (which holds the apostrophe), if any.
    private static func contractionLength(_ scalars: UnsafeBufferPointer<Unicode.Scalar>, at index: Int) -> Int? {
        guard index + 1 < scalars.count else { return nil }
        switch scalars[index + 1] {
        case "s", "t", "m", "d":
            return 2
        case "r", "v", "l":
            guard index + 2 < scalars.count else { return nil }
            let third = scalars[index + 2]
            let expected: Unicode.Scalar = scalars[index + 1] == "l" ? "l" : "e"
            return third == expected ? 3 : nil
        default:
            return nil
        }
    }
}
