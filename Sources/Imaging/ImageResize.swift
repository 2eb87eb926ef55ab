import CLIP
import COpenCV

extension RGBImage {
    /// A copy of the image scaled to `width` × `height` (aspect ratio not preserved).
    ///
    /// Shrinking (neither side grows) uses OpenCV's pixel-area averaging, which does not alias;
    /// anything that enlarges a side uses bilinear interpolation. The same size returns `self`.
    ///
    /// ```swift
    /// let small = photo.resized(width: 320, height: 240)
    /// ```
    ///
    /// Precondition: `width > 0`, `height > 0`. Stops the process only if memory runs out.
    public func resized(width newWidth: Int, height newHeight: Int) -> RGBImage {
        precondition(newWidth > 0 && newHeight > 0, "resized(width:height:) needs a positive size")
        if newWidth == width, newHeight == height { return self }
        let filter = newWidth <= width && newHeight <= height ? CD_INTER_AREA : CD_INTER_LINEAR
        var output = [UInt8](repeating: 0, count: newWidth * newHeight * 3)
        var message = [CChar](repeating: 0, count: 256)
        let status = pixels.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                message.withUnsafeMutableBufferPointer { text in
                    cd_resize(source.baseAddress, Int32(width), Int32(height),
                              target.baseAddress, Int32(newWidth), Int32(newHeight), Int32(filter.rawValue),
                              text.baseAddress, text.count)
                }
            }
        }
        // With valid sizes the only way cv::resize fails is running out of memory.
        precondition(status == CD_OK, "resize failed: " + String(cString: message))
        return RGBImage(width: newWidth, height: newHeight, pixels: output)
    }
}
