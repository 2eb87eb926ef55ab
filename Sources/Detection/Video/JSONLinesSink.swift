import Foundation

/// JSON lines to a temporary file (renamed by `AnnotatedVideoRun`) or to an open handle; each
/// line is written whole, so an interrupted run leaves only complete lines.
final class JSONLinesSink {
    private let handle: FileHandle?
    private let owned: Bool
    /// The final file name, for a file target.
    let path: String?

    init(_ target: AnnotatedVideoRun.JSONLinesTarget?, temporary: String?) throws {
        switch target {
        case .handle(let h):
            handle = h
            owned = false
            path = nil
        case .file(let final):
            let temp = temporary ?? final
            guard FileManager.default.createFile(atPath: temp, contents: nil), let h = FileHandle(forWritingAtPath: temp) else {
                throw DetectionError("\(final): cannot create the JSON lines file")
            }
            handle = h
            owned = true
            path = final
        case nil:
            handle = nil
            owned = false
            path = nil
        }
    }

    func write(_ record: VideoFrameDetections) throws {
        let line = try record.jsonLine()
        do {
            try handle?.write(contentsOf: line)
        } catch {
            throw DetectionError("\(path ?? "JSON lines output"): cannot write (\(Self.reason(error)))")
        }
    }

    /// The system's words for a write failure ("No space left on device"), on one line.
    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let posix = (ns.userInfo[NSUnderlyingErrorKey] as? NSError) ?? (ns.domain == NSPOSIXErrorDomain ? ns : nil) {
            return String(cString: strerror(Int32(posix.code)))
        }
        return ns.localizedDescription.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    func close() throws {
        guard owned else { return }
        do {
            try handle?.close()
        } catch {
            throw DetectionError("\(path ?? "JSON lines output"): cannot write (\(Self.reason(error)))")
        }
    }
}
