#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A whole file mapped read-only into memory, unmapped when released.
///
/// Mapping instead of reading keeps a 1.7 GB checkpoint out of the heap: pages are loaded on
/// first touch and can be dropped by the kernel again. If another process truncates the file
/// while it is mapped, touching the lost pages raises SIGBUS; model files are not expected to
/// change under a running program.
final class MappedFile: @unchecked Sendable {
    /// The file's bytes; empty (nil base) for an empty file.
    let bytes: UnsafeRawBufferPointer

    /// Maps `url`, or throws a `CLIPError` naming the file and the system's reason.
    init(url: URL) throws {
        let path = url.path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Self.systemError(path, "cannot open") }
        defer { close(descriptor) }  // the mapping outlives the descriptor
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw Self.systemError(path, "cannot stat") }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw CLIPError("\(path): not a regular file")
        }
        let size = Int(status.st_size)
        guard size > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0)
        guard let address, address != MAP_FAILED else { throw Self.systemError(path, "cannot map") }
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    deinit {
        if let base = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        }
    }

    private static func systemError(_ path: String, _ action: String) -> CLIPError {
        CLIPError("\(path): \(action): \(String(cString: strerror(errno)))")
    }
}
