import Foundation

/// The normalizer of `CLIPTokenizerFast`: NFC, whitespace runs → one space, lower-case.
///
/// Whitespace collapsing is not performed here: the pre-tokenizer discards every whitespace
/// scalar anyway, so collapsing runs first cannot change a single id.
enum TextNormalizer {
    /// Appends the NFC, lower-cased scalars of `text` to `output`.
    ///
    /// Lower-casing is scalar by scalar with the full, context-free Unicode mapping, as Rust's
    /// `char::to_lowercase` does in `tokenizers` (so "Σ" is always "σ", "İ" becomes "i̇").
    static func normalize(_ text: String, into output: inout [Unicode.Scalar]) {
        let composed = needsComposition(text) ? text.precomposedStringWithCanonicalMapping : text
        for scalar in composed.unicodeScalars {
            let value = scalar.value
            if value < 128 {
                output.append(value >= 65 && value <= 90 ? Unicode.Scalar(UInt8(value + 32)) : scalar)
            } else if scalar.properties.changesWhenLowercased {
                output.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            } else {
                output.append(scalar)
            }
        }
    }

    /// False when every scalar is below U+0300: nothing there composes or has a singleton
    /// decomposition, so NFC is the identity and the (slow) Foundation call can be skipped.
    /// UTF-8 lead bytes of U+0300 and above are all ≥ 0xCC; continuation bytes are < 0xC0.
    private static func needsComposition(_ text: String) -> Bool {
        text.utf8.contains { $0 >= 0xCC }
    }
}
