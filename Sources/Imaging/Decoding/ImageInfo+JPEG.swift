extension ImageInfo {
    /// Walks the JPEG markers up to the first scan: the frame header (SOFn) gives the size,
    /// APP1 "Exif" segments give the EXIF block (concatenated when split, as PIL does).
    static func readJPEG(_ view: ByteView) throws(Problem) -> ImageInfo {
        var position = 2
        var size: (width: Int, height: Int)?
        var exif: [UInt8]?
        let exifHeader: [UInt8] = Array("Exif".utf8) + [0, 0]
        while true {
            guard let byte = view.u8(position) else {
                if let size { return ImageInfo(format: .jpeg, width: size.width, height: size.height, exif: exif) }
                throw .truncated("the file ends inside the JPEG header")
            }
            // Bytes between segments that are not a marker are skipped, as PIL does.
            guard byte == 0xFF, let marker = view.u8(position + 1) else {
                position += 1
                continue
            }
            if marker == 0xFF {
                position += 1  // fill byte
                continue
            }
            position += 2
            if marker == 0x01 || marker == 0xD8 || (0xD0...0xD7).contains(marker) {
                continue  // markers without a length
            }
            if marker == 0xDA || marker == 0xD9 {
                guard let size else { throw .invalid("JPEG data has no frame header (SOF) before its image data") }
                return ImageInfo(format: .jpeg, width: size.width, height: size.height, exif: exif)
            }
            guard let length = view.be16(position), length >= 2 else {
                throw .truncated("the file ends inside the JPEG header")
            }
            let isFrameHeader = (0xC0...0xCF).contains(marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
            if isFrameHeader, size == nil {
                guard let height = view.be16(position + 3), let width = view.be16(position + 5) else {
                    throw .truncated("the file ends inside the JPEG frame header")
                }
                size = (width, height)
            } else if marker == 0xE1, length >= 8, view.matches(exifHeader, at: position + 2) {
                exif = (exif ?? []) + view.slice(position + 8, length - 8)
            }
            position += length
        }
    }
}
