import CLIP
import COpenCV

/// Writes RGB frames to a video file through OpenCV's FFmpeg backend.
///
/// ```swift
/// let writer = try VideoWriter(path: "out.mp4", fps: 25, width: 640, height: 480)  // mp4v
/// try writer.write(frame)
/// try writer.close()          // finishes the container; without it the file may not play
/// ```
///
/// The codec comes from the extension (`codec(forPath:)`) unless given. The file is written
/// in place: callers wanting all-or-nothing output write to a temporary name with the same
/// extension (FFmpeg picks the container from it) and rename after `close`.
public final class VideoWriter {
    public let path: String
    public let width: Int
    public let height: Int
    public let fps: Double
    public let codec: String
    public private(set) var framesWritten = 0
    private var handle: OpaquePointer?

    /// Codec per output extension: `.mp4`, `.m4v`, `.mov`, `.mkv` → "mp4v" (MPEG-4 part 2, which
    /// Debian's FFmpeg encodes natively), `.avi` → "MJPG". Nil for other extensions.
    public static func codec(forPath path: String) -> String? {
        let ext = path.split(separator: ".").last.map { $0.lowercased() } ?? ""
        switch ext {
        case "mp4", "m4v", "mov", "mkv": return "mp4v"
        case "avi": return "MJPG"
        default: return nil
        }
    }

    /// Creates (or replaces) `path`.
    /// - Parameters:
    ///   - fps: frames per second, > 0.
    ///   - codec: a fourcc such as "mp4v" or "MJPG"; nil picks one from the extension.
    /// - Throws: `DetectionError` naming the file when the extension or codec is not supported
    ///   or the file cannot be created.
    public init(path: String, fps: Double, width: Int, height: Int, codec: String? = nil) throws {
        guard let codec = codec ?? Self.codec(forPath: path) else {
            throw DetectionError("\(path): unsupported video extension (use .mp4, .m4v, .mov, .mkv or .avi)")
        }
        guard codec.utf8.count == 4 else { throw DetectionError("\(path): codec \"\(codec)\" is not a four-character code") }
        guard fps > 0, fps.isFinite else { throw DetectionError("\(path): frame rate \(fps) must be positive") }
        guard width > 0, height > 0 else { throw DetectionError("\(path): frame size \(width)x\(height) is empty") }
        self.path = path
        self.width = width
        self.height = height
        self.fps = fps
        self.codec = codec
        var h: OpaquePointer?
        var message = [CChar](repeating: 0, count: 256)
        let status = message.withUnsafeMutableBufferPointer {
            cd_video_writer_open(path, codec, fps, Int32(width), Int32(height), &h, $0.baseAddress, $0.count)
        }
        guard status == CD_OK, let h else {
            throw DetectionError("\(path): cannot create video (\(shimMessage(message)))")
        }
        handle = h
    }

    deinit {
        if let handle { _ = cd_video_writer_close(handle, nil, 0) }
    }

    /// Appends one frame. Precondition: the writer is open. Throws for a frame of another size.
    public func write(_ image: RGBImage) throws {
        guard let handle else { throw DetectionError("\(path): writer already closed") }
        var message = [CChar](repeating: 0, count: 256)
        let status = image.pixels.withUnsafeBufferPointer { px in
            message.withUnsafeMutableBufferPointer {
                cd_video_write(handle, px.baseAddress, Int32(image.width), Int32(image.height), $0.baseAddress, $0.count)
            }
        }
        guard status == CD_OK else { throw DetectionError("\(path): cannot write frame \(framesWritten) (\(shimMessage(message)))") }
        framesWritten += 1
    }

    /// Finishes the file. Calling it again does nothing.
    public func close() throws {
        guard let handle else { return }
        self.handle = nil
        var message = [CChar](repeating: 0, count: 256)
        let status = message.withUnsafeMutableBufferPointer { cd_video_writer_close(handle, $0.baseAddress, $0.count) }
        guard status == CD_OK else { throw DetectionError("\(path): cannot finish video (\(shimMessage(message)))") }
    }
}
