/// Bounds-checked reads of big- and little-endian integers from file bytes.
///
/// Header parsers run on untrusted input before any decoder sees it, so every read returns
/// `nil` past the end instead of trapping.
struct ByteView {
    let bytes: UnsafeRawBufferPointer

    var count: Int { bytes.count }

    func u8(_ offset: Int) -> Int? {
        guard offset >= 0, offset < bytes.count else { return nil }
        return Int(bytes[offset])
    }

    func be16(_ offset: Int) -> Int? {
        guard let a = u8(offset), let b = u8(offset + 1) else { return nil }
        return a << 8 | b
    }

    func le16(_ offset: Int) -> Int? {
        guard let a = u8(offset), let b = u8(offset + 1) else { return nil }
        return b << 8 | a
    }

    func be32(_ offset: Int) -> Int? {
        guard let hi = be16(offset), let lo = be16(offset + 2) else { return nil }
        return hi << 16 | lo
    }

    func le32(_ offset: Int) -> Int? {
        guard let lo = le16(offset), let hi = le16(offset + 2) else { return nil }
        return hi << 16 | lo
    }

    /// 16-bit read in the given byte order (TIFF/EXIF files choose theirs).
    func u16(_ offset: Int, bigEndian: Bool) -> Int? {
        bigEndian ? be16(offset) : le16(offset)
    }

    func u32(_ offset: Int, bigEndian: Bool) -> Int? {
        bigEndian ? be32(offset) : le32(offset)
    }

    /// True when the bytes at `offset` equal the ASCII string `ascii`.
    func matches(_ ascii: String, at offset: Int) -> Bool {
        matches(Array(ascii.utf8), at: offset)
    }

    /// True when the bytes at `offset` equal `expected`.
    func matches(_ expected: [UInt8], at offset: Int) -> Bool {
        guard offset >= 0, offset + expected.count <= bytes.count else { return false }
        for (i, byte) in expected.enumerated() where bytes[offset + i] != byte {
            return false
        }
        return true
    }

    /// A copy of `count` bytes from `offset`, clamped to the end of the data.
    func slice(_ offset: Int, _ length: Int) -> [UInt8] {
        guard offset >= 0, offset < bytes.count, length > 0 else { return [] }
        let end = min(bytes.count, offset + length)
        return Array(bytes[offset..<end])
    }
}
