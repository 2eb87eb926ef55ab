extension ImageInfo {
    /// GIF: the logical screen size.
    static func readGIF(_ view: ByteView) throws(Problem) -> ImageInfo {
        guard let width = view.le16(6), let height = view.le16(8) else {
            throw .truncated("the file ends inside the GIF header")
        }
        return ImageInfo(format: .gif, width: width, height: height)
    }

    /// BMP: OS/2 headers store 16-bit sizes, Windows ones signed 32-bit (negative height
    /// means top-down rows).
    static func readBMP(_ view: ByteView) throws(Problem) -> ImageInfo {
        guard let headerSize = view.le32(14) else { throw .truncated("the file ends inside the BMP header") }
        if headerSize == 12 {
            guard let width = view.le16(18), let height = view.le16(20) else {
                throw .truncated("the file ends inside the BMP header")
            }
            return ImageInfo(format: .bmp, width: width, height: height)
        }
        guard let width = view.le32(18), let height = view.le32(22) else {
            throw .truncated("the file ends inside the BMP header")
        }
        let signedWidth = Int(Int32(truncatingIfNeeded: width))
        let signedHeight = Int(Int32(truncatingIfNeeded: height))
        return ImageInfo(format: .bmp, width: abs(signedWidth), height: abs(signedHeight))
    }

    /// WebP: lossy (VP8), lossless (VP8L) or extended (VP8X) first chunk; an EXIF chunk
    /// anywhere in the RIFF list carries the orientation.
    static func readWebP(_ view: ByteView) throws(Problem) -> ImageInfo {
        let truncated = Problem.truncated("the file ends inside the WebP header")
        var info: ImageInfo
        if view.matches("VP8 ", at: 12) {
            guard view.matches([0x9D, 0x01, 0x2A], at: 23) else { throw .invalid("WebP VP8 frame has no start code") }
            guard let width = view.le16(26), let height = view.le16(28) else { throw truncated }
            info = ImageInfo(format: .webp, width: width & 0x3FFF, height: height & 0x3FFF)
        } else if view.matches("VP8L", at: 12) {
            guard view.u8(20) == 0x2F else { throw .invalid("WebP VP8L data has no signature") }
            guard let bits = view.le32(21) else { throw truncated }
            info = ImageInfo(format: .webp, width: (bits & 0x3FFF) + 1, height: ((bits >> 14) & 0x3FFF) + 1)
        } else if view.matches("VP8X", at: 12) {
            guard let w0 = view.le16(24), let w1 = view.u8(26), let h0 = view.le16(27), let h1 = view.u8(29) else {
                throw truncated
            }
            info = ImageInfo(format: .webp, width: (w1 << 16 | w0) + 1, height: (h1 << 16 | h0) + 1)
        } else {
            throw .invalid("WebP data starts with an unknown chunk")
        }
        var position = 12
        while let length = view.le32(position + 4), position + 8 + length <= view.count {
            if view.matches("EXIF", at: position) {
                var block = view.slice(position + 8, length)
                if block.starts(with: Array("Exif".utf8) + [0, 0]) { block.removeFirst(6) }
                info.exif = block
            }
            position += 8 + length + (length & 1)
        }
        return info
    }

    /// TIFF: ImageWidth / ImageLength and Orientation from the first directory.
    static func readTIFF(_ view: ByteView) throws(Problem) -> ImageInfo {
        guard let directory = TIFFDirectory(view) else { throw .invalid("TIFF header or first directory is damaged") }
        guard let width = directory.integers[TIFFDirectory.imageWidth],
              let height = directory.integers[TIFFDirectory.imageLength]
        else { throw .invalid("TIFF first directory has no image size") }
        var info = ImageInfo(format: .tiff, width: width, height: height)
        info.tiffOrientation = directory.integers[TIFFDirectory.orientation]
        return info
    }
}
