import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// A tiny tmpfs mounted for one test: `full` (64 KiB, filled to the last byte, so every write
/// fails with ENOSPC) or `readOnly` (mounted `ro`, so even root cannot create a file).
///
/// ```swift
/// let disk = try SmallMount(.full, test: self)      // XCTSkip unless running as root
/// defer { disk.unmount() }
/// // ... run the code that writes under disk.url, then:
/// XCTAssertEqual(try disk.strayFiles(), [])       // nothing partial left behind
/// ```
///
/// Mounting needs root (CAP_SYS_ADMIN): other users get an `XCTSkip` saying so, as does a root
/// whose container forbids `mount`.
public final class SmallMount {
    public enum Kind: String { case full, readOnly = "read-only" }

    public let url: URL
    public let kind: Kind
    /// The file that fills a `full` mount (not an output of the code under test).
    public static let fillerName = "filler"

    public init(_ kind: Kind, test: XCTestCase) throws {
        guard geteuid() == 0 else {
            throw XCTSkip("mounting a \(kind.rawValue) tmpfs needs root (the test runs as uid \(geteuid())); run the suite as root to cover full-disk and read-only outputs")
        }
        self.kind = kind
        url = FileManager.default.temporaryDirectory.appendingPathComponent("small-mount-\(kind.rawValue)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let options = kind == .full ? "size=64k,mode=0777" : "ro,size=64k,mode=0777"
        let status = try Self.run("/bin/mount", ["-t", "tmpfs", "-o", options, "tmpfs", url.path])
        guard status == 0 else {
            try? FileManager.default.removeItem(at: url)
            throw XCTSkip("root, but `mount -t tmpfs` failed (exit \(status)): this container forbids mounting")
        }
        if kind == .full { try fill() }
    }

    /// Writes the filler until the file system refuses (ENOSPC).
    private func fill() throws {
        let path = url.appendingPathComponent(Self.fillerName).path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw NSError(domain: "SmallMount", code: Int(errno)) }
        defer { close(fd) }
        let block = [UInt8](repeating: 0x5A, count: 4096)
        while true {
            let n = block.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
        }
        // Also the last partial block: one byte at a time until nothing fits.
        var one: UInt8 = 0
        while write(fd, &one, 1) == 1 {}
    }

    /// Everything in the mount except the filler (outputs and temporaries the code left).
    public func strayFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url.path).filter { $0 != Self.fillerName }.sorted()
    }

    public func unmount() {
        _ = try? Self.run("/bin/umount", [url.path])
        try? FileManager.default.removeItem(at: url)
    }

    private static func run(_ tool: String, _ arguments: [String]) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = arguments
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }
}
