import CLIP
import COpenCV

/// Runs the C shim's decoders and turns their status codes into `ImagingError`s.
enum NativeDecoder {
    /// Decodes `bytes` (JPEG through libjpeg, anything else through OpenCV) and converts the
    /// raster to RGB8 the way PIL would. Precondition: the header already passed the pixel limit.
    static func decodeRGB(
        _ bytes: UnsafeRawBufferPointer, info: ImageInfo?, format: ImageFormat, maxPixels: Int, name: String
    ) throws(ImagingError) -> RGBImage {
        var image = cd_image()
        var message = [CChar](repeating: 0, count: 512)
        let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let limit = UInt64(max(maxPixels, 0))
        let status = message.withUnsafeMutableBufferPointer { text in
            format == .jpeg
                ? cd_jpeg_decode(base, bytes.count, limit, &image, text.baseAddress, text.count)
                : cd_image_decode(base, bytes.count, limit, &image, text.baseAddress, text.count)
        }
        defer { cd_image_free(&image) }
        let detail = String(shimMessage: message)

        switch status {
        case CD_OK:
            break
        case CD_ERR_TOO_LARGE:
            throw ImagingError(.tooLarge, file: name, reason: detail)
        case CD_ERR_NO_MEMORY:
            throw ImagingError(.outOfMemory, file: name, reason: "out of memory while decoding")
        case CD_ERR_UNSUPPORTED:
            throw ImagingError(.unsupportedFormat, file: name, reason: "unsupported \(format.rawValue) image (\(detail))")
        default:
            switch format {
            case .jpeg:
                throw ImagingError(.corrupt, file: name, reason: "truncated or corrupt JPEG (\(detail))")
            case .gif:
                throw ImagingError(.unsupportedFormat, file: name, reason: "GIF images are not supported by this build of OpenCV; convert the file to PNG")
            case .other, .unknown:
                throw ImagingError(.unsupportedFormat, file: name, reason: "not an image file, or in a format that cannot be decoded (read: \(ImageFormat.supported))")
            default:
                throw ImagingError(.corrupt, file: name, reason: "truncated or corrupt \(format.rawValue) image (\(detail))")
            }
        }

        let layout: RawRaster.Layout
        switch image.order {
        case Int32(CD_ORDER_CMYK.rawValue): layout = .cmykInverted
        case Int32(CD_ORDER_BGR.rawValue): layout = .bgr
        default: layout = .rgb
        }
        guard image.width > 0, image.height > 0, (1...4).contains(image.channels),
              image.bytes_per_sample == 1 || image.bytes_per_sample == 2,
              image.size == Int(image.width) * Int(image.height) * Int(image.channels) * Int(image.bytes_per_sample)
        else {
            throw ImagingError(.corrupt, file: name, reason: "decoder returned an inconsistent \(image.width)x\(image.height) raster")
        }
        let raw = RawRaster(
            samples: UnsafeRawBufferPointer(start: image.data, count: image.size),
            width: Int(image.width), height: Int(image.height), channels: Int(image.channels),
            bytesPerSample: Int(image.bytes_per_sample), layout: layout,
            transparentGrey: image.channels == 1 ? info?.transparentGrey : nil)
        return PILColorConversion.rgb(from: raw)
    }
}
