import CLIP
import COpenCV

extension RGBImage {
    /// A copy of the image scaled to `width` × `height` (aspect ratio not preserved).
    ///
    /// Shrinking (neither side grows) uses OpenCV's pixel-area averaging, which does not alias;
    /// anything that enlarges a side uses bilinear interpolation. The same size returns `self`.
    ///
    /// ```swift
    /// let small = try photo.resized(width: 320, height: 240)
    /// ```
    ///
    /// - Throws: `ImagingError` (file `<memory>`) of kind `.invalidArgument` for a size that is
    ///   not positive, `.outOfMemory` when OpenCV cannot allocate or fails otherwise.
    public func resized(width newWidth: Int, height newHeight: Int) throws(ImagingError) -> RGBImage {
        guard newWidth > 0, newHeight > 0, newWidth <= Int(Int32.max), newHeight <= Int(Int32.max) else {
            throw ImagingError(.invalidArgument, file: "<memory>",
                               reason: "cannot resize a \(width)x\(height) image to \(newWidth)x\(newHeight): the size must be positive")
        }
        if newWidth == width, newHeight == height { return self }
        let filter = newWidth <= width && newHeight <= height ? CD_INTER_AREA : CD_INTER_LINEAR
        let (count, overflow) = newWidth.multipliedReportingOverflow(by: newHeight * 3)
        guard !overflow else {
            throw ImagingError(.outOfMemory, file: "<memory>", reason: "cannot resize a \(width)x\(height) image to \(newWidth)x\(newHeight): too many pixels")
        }
        var output = [UInt8](repeating: 0, count: count)
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
        guard status == CD_OK else {
            let detail = String(shimMessage: message)
            throw ImagingError(.outOfMemory, file: "<memory>", reason: "cannot resize a \(width)x\(height) image to \(newWidth)x\(newHeight) (\(detail))")
        }
        return RGBImage(width: newWidth, height: newHeight, pixels: output)
    }
}
