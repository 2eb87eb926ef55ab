/// How CLIP's pre-tokenizer regex sees one Unicode scalar: `\p{L}`, `\p{N}`, `\s` or none.
///
/// Hugging Face `tokenizers` evaluates the regex with Oniguruma, whose tables stop at
/// Unicode 16.0. Swift's tables are newer; a scalar assigned after 16.0 is unassigned (so
/// "other") for the reference tokenizer, whatever Swift says. With that one rule the two agree
/// on all 1,112,064 scalars (checked exhaustively when this was written).
enum TokenizerCharacterClass: UInt8 {
    case letter, number, whitespace, other

    /// Unicode version of the regex engine inside the reference tokenizer (tokenizers 0.23).
    static let referenceUnicodeVersion = (major: 16, minor: 0)

    private static let asciiTable: [TokenizerCharacterClass] = (0..<128).map { value in
        let scalar = Unicode.Scalar(UInt8(value))
        switch scalar {
        case "a"..."z", "A"..."Z": return .letter
        case "0"..."9": return .number
        case "\t", "\n", "\u{0B}", "\u{0C}", "\r", " ": return .whitespace
        default: return .other
        }
    }

    static func of(_ scalar: Unicode.Scalar) -> TokenizerCharacterClass {
        if scalar.value < 128 { return asciiTable[Int(scalar.value)] }
        let properties = scalar.properties
        if properties.isWhitespace { return .whitespace }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return isNewerThanReference(properties) ? .other : .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return isNewerThanReference(properties) ? .other : .number
        default:
            return .other
        }
    }

    private static func isNewerThanReference(_ properties: Unicode.Scalar.Properties) -> Bool {
        guard let age = properties.age else { return true }
        let reference = referenceUnicodeVersion
        return age.major > reference.major || (age.major == reference.major && age.minor > reference.minor)
    }
}
