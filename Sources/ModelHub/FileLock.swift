import Foundation

/// An exclusive `flock` on `<cache>/.locks/models--ORG--NAME/<etag>.lock`, the file
/// `huggingface_hub` locks too, so two downloaders (of either tool) never append to the same
/// partial blob.
final class FileLock {
    private let fd: Int32

    /// Blocks until the lock is held. Throws `HubError.cache` if the lock file cannot be opened.
    init(_ url: URL) throws {
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        fd = open(url.path, O_RDWR | O_CREAT, 0o644)
        guard fd >= 0 else {
            throw HubError(.cache, "\(url.path): cannot create lock file (\(String(cString: strerror(errno))))")
        }
        while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
