extension ImageInfo {
    /// Reads IHDR for the size, then walks the chunks for eXIf (orientation) and the tRNS
    /// of 8-bit grey images. A damaged chunk list is left for the decoder to report.
    static func readPNG(_ view: ByteView) throws(Problem) -> ImageInfo {
        guard view.count >= 33 else { throw .truncated("the file ends inside the PNG header") }
        guard view.matches("IHDR", at: 12), let width = view.be32(16), let height = view.be32(20),
              let bitDepth = view.u8(24), let colorType = view.u8(25)
        else { throw .invalid("PNG data does not start with an IHDR chunk") }
        var info = ImageInfo(format: .png, width: width, height: height)
        var position = 8
        while let length = view.be32(position), position + 12 + length <= view.count {
            let data = position + 8
            if view.matches("eXIf", at: position + 4) {
                var block = view.slice(data, length)
                // Some writers keep JPEG's "Exif\0\0" prefix; PIL strips it.
                if block.starts(with: Array("Exif".utf8) + [0, 0]) { block.removeFirst(6) }
                info.exif = block
            } else if view.matches("tRNS", at: position + 4), colorType == 0, bitDepth == 8 {
                info.transparentGrey = view.be16(data)
            } else if view.matches("IEND", at: position + 4) {
                break
            }
            position += 12 + length
        }
        return info
    }
}
