import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces a file's contents all at once: write a temporary file beside it, then `rename(2)`,
/// which is atomic within one file system (hence the same folder, not /tmp).
///
/// ```swift
/// try AtomicFile.replace("out/report.json", with: Data("{}\n".utf8))
/// ```
///
/// A full disk or a read-only folder gives one `ImagingError` (`.unwritable`) naming `path`, and
/// leaves neither a partial `path` nor the temporary behind.
public enum AtomicFile {
    /// Writes `bytes` to a fresh hidden file in `path`'s folder and renames it over `path`.
    public static func replace(_ path: String, with bytes: Data) throws(ImagingError) {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try replace(path, folder: folder, with: bytes)
    }

    /// Writes `bytes` to a fresh hidden file in `folder` and renames it over `path`.
    /// The temporary file is removed on every failure path.
    static func replace(_ path: String, folder: String, with bytes: Data) throws(ImagingError) {
        let base = (path as NSString).lastPathComponent
        var descriptor: Int32 = -1
        var temporary = ""
        // O_EXCL on a random name: never reuse or clobber someone else's file. 0o666 lets the
        // umask decide the final permissions, as for any ordinary new file.
        for _ in 0..<8 {
            temporary = (folder as NSString).appendingPathComponent(".\(base).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
            descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            if descriptor >= 0 || errno != EEXIST { break }
        }
        guard descriptor >= 0 else {
            throw ImagingError(.unwritable, file: path, reason: "cannot create a file in folder \(folder) (\(String(cString: strerror(errno))))")
        }
        var failure: String?
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = "write failed (\(String(cString: strerror(errno))))"
                    return
                }
                offset += written
            }
        }
        if failure == nil, close(descriptor) != 0 {
            failure = "write failed on close (\(String(cString: strerror(errno))))"
        } else if failure != nil {
            close(descriptor)
        }
        if failure == nil, rename(temporary, path) != 0 {
            failure = "cannot replace the file (\(String(cString: strerror(errno))))"
        }
        if let failure {
            unlink(temporary)
            throw ImagingError(.unwritable, file: path, reason: failure)
        }
    }
}
