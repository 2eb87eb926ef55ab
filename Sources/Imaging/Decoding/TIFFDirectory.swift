/// The first image file directory (IFD0) of a TIFF structure: a TIFF file, or the TIFF block
/// inside an EXIF segment. Only integer tags are kept, which is all the loader needs
/// (ImageWidth 256, ImageLength 257, Orientation 274).
struct TIFFDirectory {
    /// Tag → first value, for BYTE, SHORT, LONG, SSHORT and SLONG entries.
    let integers: [Int: Int]

    static let imageWidth = 256
    static let imageLength = 257
    static let orientation = 274

    /// Parses the header (`II*\0` or `MM\0*`) and IFD0; nil when they are malformed.
    init?(_ view: ByteView) {
        let bigEndian: Bool
        if view.matches("II", at: 0) {
            bigEndian = false
        } else if view.matches("MM", at: 0) {
            bigEndian = true
        } else {
            return nil
        }
        guard view.u16(2, bigEndian: bigEndian) == 42,
              let ifd = view.u32(4, bigEndian: bigEndian),
              let entryCount = view.u16(ifd, bigEndian: bigEndian)
        else { return nil }

        var integers: [Int: Int] = [:]
        for index in 0..<entryCount {
            let entry = ifd + 2 + 12 * index
            guard let tag = view.u16(entry, bigEndian: bigEndian),
                  let type = view.u16(entry + 2, bigEndian: bigEndian),
                  let count = view.u32(entry + 4, bigEndian: bigEndian), count > 0
            else { break }
            let size: Int
            switch type {
            case 1: size = 1  // BYTE
            case 3, 8: size = 2  // SHORT, SSHORT
            case 4, 9: size = 4  // LONG, SLONG
            default: continue
            }
            // Values of 4 bytes or less sit in the entry itself, larger ones at an offset.
            var at = entry + 8
            if size * count > 4 {
                guard let offset = view.u32(at, bigEndian: bigEndian) else { continue }
                at = offset
            }
            let value: Int?
            switch type {
            case 1: value = view.u8(at)
            case 3: value = view.u16(at, bigEndian: bigEndian)
            case 8: value = view.u16(at, bigEndian: bigEndian).map { Int(Int16(truncatingIfNeeded: $0)) }
            case 4: value = view.u32(at, bigEndian: bigEndian)
            default: value = view.u32(at, bigEndian: bigEndian).map { Int(Int32(truncatingIfNeeded: $0)) }
            }
            if let value, integers[tag] == nil {
                integers[tag] = value
            }
        }
        self.integers = integers
    }
}
