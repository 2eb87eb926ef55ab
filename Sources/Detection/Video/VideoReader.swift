import CLIP
import COpenCV

/// What a video source says about itself.
public struct VideoInfo: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// Frames per second from the container, or nil when it gives none (image sequences).
    public var fps: Double?
    /// Frame count from the container, or nil when unknown. Containers may estimate it.
    public var frameCount: Int?
    /// OpenCV's backend name, e.g. "FFMPEG" or "CV_IMAGES".
    public var backend: String
}

/// Frames of a video file or image sequence, in order, as RGB images (OpenCV's FFmpeg backend
/// through the shim).
///
/// ```swift
/// let reader = try VideoReader(path: "street.mp4")          // or "frames/%05d.png"
/// print(reader.info.width, reader.info.height, reader.info.fps ?? 25)
/// while let event = try reader.next() {
///     if case .frame(let index, let image) = event { print(index, image.width) }
/// }
/// if reader.endedEarly { print("truncated after \(reader.framesSeen) frames") }
/// ```
///
/// Damaged input: FFmpeg answers "no frame" both at the end of the stream and for one packet
/// that does not decode, and goes on with the next frame when asked again. So a failed read is
/// held back; if a later read succeeds, each held-back failure was one corrupt frame and is
/// reported as `.corrupt` (keeping every later frame's index right); after
/// `maxConsecutiveFailures` failures in a row, or once the container's frame count is
/// reached, the stream has ended. It ended early (`endedEarly`) when that happened on failures
/// before the announced frame count: a truncated or badly damaged file.
/// Not thread-safe; one reader per source.
public final class VideoReader {
    public enum Event: Sendable {
        /// Frame `index` (0-based position in the source, corrupt frames included).
        case frame(index: Int, image: RGBImage)
        /// Frame `index` could not be decoded and was skipped.
        case corrupt(index: Int, message: String)
    }

    /// Failed reads in a row after which the stream is taken to have ended. Long runs of
    /// undecodable frames are treated as the end of the readable part.
    public static let maxConsecutiveFailures = 16

    public let path: String
    public let info: VideoInfo
    /// Frames delivered so far, decoded or corrupt (the index the next frame will get).
    public private(set) var framesSeen = 0
    /// Frames that did not decode.
    public private(set) var corruptFrames = 0
    /// True once the stream ended on read failures before the container's frame count.
    public private(set) var endedEarly = false

    private var handle: OpaquePointer?
    private var heldFailures = 0
    private var queued: [Event] = []
    private var finished = false

    /// Opens `path` and decodes its first frame (to learn the frame size).
    /// - Throws: `DetectionError` "PATH: cannot open video (reason)".
    public init(path: String) throws {
        self.path = path
        var raw = cd_video_info()
        var h: OpaquePointer?
        var message = [CChar](repeating: 0, count: 256)
        let status = message.withUnsafeMutableBufferPointer { cd_video_open(path, &h, &raw, $0.baseAddress, $0.count) }
        guard status == CD_OK, let h else {
            throw DetectionError("\(path): cannot open video (\(shimMessage(message)))")
        }
        handle = h
        let backend = withUnsafeBytes(of: raw.backend) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        info = VideoInfo(width: Int(raw.width), height: Int(raw.height),
                         fps: raw.fps.isFinite && raw.fps > 0 ? raw.fps : nil,
                         frameCount: raw.frame_count > 0 ? Int(raw.frame_count) : nil, backend: backend)
    }

    deinit { cd_video_close(handle) }

    /// The next frame or corrupt-frame report, or nil at the end of the readable stream.
    /// - Throws: `DetectionError` only for failures that are not about the data (out of memory).
    public func next() throws -> Event? {
        if !queued.isEmpty { return queued.removeFirst() }
        guard !finished else { return nil }
        var image = RGBImage(width: info.width, height: info.height, fill: (0, 0, 0))
        var message = [CChar](repeating: 0, count: 256)
        while true {
            if let count = info.frameCount, framesSeen + heldFailures >= count {
                return end()  // the announced frames are all accounted for
            }
            var got: Int32 = 0
            var position: Int64 = 0
            let status = image.pixels.withUnsafeMutableBufferPointer { px in
                message.withUnsafeMutableBufferPointer {
                    cd_video_read(handle, px.baseAddress, px.count, &got, &position, $0.baseAddress, $0.count)
                }
            }
            switch status {
            case CD_OK where got == 1:
                flushHeldFailures()
                queued.append(.frame(index: framesSeen, image: image))
                framesSeen += 1
                return queued.removeFirst()
            case CD_OK:
                heldFailures += 1
                if heldFailures >= Self.maxConsecutiveFailures { return end() }
            case CD_ERR_CORRUPT:
                flushHeldFailures()
                corruptFrames += 1
                queued.append(.corrupt(index: framesSeen, message: shimMessage(message)))
                framesSeen += 1
                return queued.removeFirst()
            default:
                throw DetectionError("\(path): reading frame \(framesSeen + heldFailures) failed (\(shimMessage(message)))")
            }
        }
    }

    private func flushHeldFailures() {
        for _ in 0..<heldFailures {
            queued.append(.corrupt(index: framesSeen, message: "frame does not decode"))
            framesSeen += 1
            corruptFrames += 1
        }
        heldFailures = 0
    }

    private func end() -> Event? {
        finished = true
        if heldFailures > 0, let count = info.frameCount, framesSeen < count { endedEarly = true }
        heldFailures = 0
        return nil
    }
}

/// The shim's NUL-terminated message as a Swift string.
func shimMessage(_ buffer: [CChar]) -> String {
    let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return text.isEmpty ? "unknown error" : text
}
