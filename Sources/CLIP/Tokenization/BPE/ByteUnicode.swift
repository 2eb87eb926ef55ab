/// The byte ↔ character table of GPT-2 and CLIP byte-level BPE (`bytes_to_unicode`).
///
/// Vocabulary tokens are written with one printable character per UTF-8 byte, so that no
/// token contains whitespace or control characters: printable Latin-1 bytes stand for
/// themselves, the 68 others are shifted to U+0100…U+0143 in byte order.
enum ByteUnicode {
    /// `scalars[b]` is the character that stands for byte `b` in `vocab.json` and `merges.txt`.
    static let scalars: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: "\0", count: 256)
        var shifted: UInt32 = 256
        for byte in 0..<256 {
            let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
            if printable {
                table[byte] = Unicode.Scalar(UInt8(byte))
            } else {
                table[byte] = Unicode.Scalar(shifted)!
                shifted += 1
            }
        }
        return table
    }()

    /// UTF-8 bytes of the token standing for `byte`, optionally followed by `suffix`.
    static func tokenBytes(for byte: UInt8, suffix: [UInt8] = []) -> [UInt8] {
        Array(String(Character(scalars[Int(byte)])).utf8) + suffix
    }
}
