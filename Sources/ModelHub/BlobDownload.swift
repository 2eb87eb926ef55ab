import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Fetches one blob into `blobs/<etag>`: appends to `blobs/<etag>.incomplete` (resuming it with
/// a `Range` request, in this run after a cut connection or in a later run), checks size and
/// sha256, then renames it into place. Until that rename nothing under `blobs/<etag>` exists,
/// so an interrupted run never leaves a file that looks complete.
struct BlobDownload {
    let client: HTTPClient
    let url: URL
    let headers: [String: String]
    let partial: URL
    let destination: URL
    let expectedSize: Int64?
    let expectedSHA256: String?
    /// For messages and progress: `ORG/NAME/FILE`.
    let label: String
    let progress: DownloadProgressReporting?
    /// Consecutive attempts that may end without a single new byte before giving up.
    var attemptsWithoutProgress = 3
    var retryDelay: TimeInterval = 0.3

    func run() throws {
        let fm = FileManager.default
        try? fm.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        var failures = 0
        var lastError: Error?
        while true {
            var have = partialSize()
            if let expectedSize, have > expectedSize {
                try? fm.removeItem(at: partial)
                have = 0
            }
            if let expectedSize, have == expectedSize { break }
            if !fm.fileExists(atPath: partial.path) && !fm.createFile(atPath: partial.path, contents: nil) {
                throw HubError(.cache, "\(partial.path): cannot create file in the cache")
            }
            let received = try attempt(from: have, error: &lastError)
            let got = partialSize()
            if lastError == nil, expectedSize == nil || got == expectedSize { break }
            failures = received > 0 ? 1 : failures + 1
            if failures >= attemptsWithoutProgress {
                let of = expectedSize.map { " of \($0)" } ?? ""
                let reason = (lastError as? URLError).map(HubResponseErrors.describe) ?? lastError.map { "\($0)" } ?? "body shorter than announced"
                throw HubError(.network, "\(label): download interrupted at \(got)\(of) bytes (\(reason)); run again to resume from \(partial.path)")
            }
            Thread.sleep(forTimeInterval: retryDelay * Double(failures))
        }
        try verify()
        guard rename(partial.path, destination.path) == 0 else {
            throw HubError(.cache, "\(destination.path): cannot move the download into place (\(String(cString: strerror(errno))))")
        }
    }

    /// One GET from byte `offset`; returns the bytes appended. Transport failures land in
    /// `error` (the caller retries); HTTP and disk problems throw.
    private func attempt(from offset: Int64, error: inout Error?) throws -> Int64 {
        error = nil
        guard let handle = FileHandle(forWritingAtPath: partial.path) else {
            throw HubError(.cache, "\(partial.path): cannot open for writing")
        }
        defer { try? handle.close() }
        var offset = offset
        var request = headers
        if offset > 0 { request["Range"] = "bytes=\(offset)-" }
        var received: Int64 = 0
        do {
            _ = try client.send("GET", url, headers: request, redirects: .all, onResponse: { r in
                switch try HubAnswers.downloadStart(r, offset: offset, label: label) {
                case .append:
                    break
                case .restart:
                    // The server ignored the Range header: start over rather than append.
                    try handle.truncate(atOffset: 0)
                    offset = 0
                case .discard:
                    try handle.truncate(atOffset: 0)
                    throw URLError(.cannotParseResponse)
                }
                try handle.seekToEnd()
                let total = expectedSize ?? r.header("content-length").flatMap(Int64.init).map { $0 + offset }
                progress?.begin(file: label, completed: offset, total: total)
            }, onData: { data in
                do {
                    try handle.write(contentsOf: data)
                } catch {
                    throw CocoaError(.fileWriteUnknown, userInfo: [NSUnderlyingErrorKey: error])
                }
                received += Int64(data.count)
                progress?.advance(by: Int64(data.count))
            })
        } catch let e as HubError {
            progress?.end()
            throw e
        } catch let e as URLError {
            error = e
        } catch let e as CocoaError {
            // A disk failure (full, read-only) is not resumed like a cut connection: drop the
            // partial file, which holds the space the user has to free.
            progress?.end()
            try? FileManager.default.removeItem(at: partial)
            let cause = (e.userInfo[NSUnderlyingErrorKey] as? NSError).map { ($0.domain == NSPOSIXErrorDomain) ? String(cString: strerror(Int32($0.code))) : $0.localizedDescription }
            throw HubError(.cache, "\(partial.path): cannot write (\(cause ?? e.localizedDescription))")
        } catch let e {
            error = e
        }
        if received > 0 || error == nil { progress?.end() }
        return received
    }

    private func partialSize() -> Int64 {
        let attributes = try? FileManager.default.attributesOfItem(atPath: partial.path)
        return (attributes?[.size] as? NSNumber)?.int64Value ?? 0
    }

    /// Size and sha256 check; a mismatch deletes the partial file, since resuming it can never succeed.
    private func verify() throws {
        let size = partialSize()
        if let expectedSize, size != expectedSize {
            try? FileManager.default.removeItem(at: partial)
            throw HubError(.badResponse, "\(label): got \(size) bytes but the hub announced \(expectedSize); partial file deleted, run again")
        }
        guard let expectedSHA256 else { return }
        let actual = try SHA256.hash(fileAt: partial)
        guard actual.hexString == expectedSHA256 else {
            try? FileManager.default.removeItem(at: partial)
            throw HubError(.checksumMismatch, "\(label): sha256 is \(actual.hexString) but the hub announced \(expectedSHA256); the download was deleted (corrupted transfer or tampered mirror), run again")
        }
    }
}

extension SHA256 {
    /// Hashes a file in 1 MiB reads. Throws `HubError.cache` if it cannot be read.
    public static func hash(fileAt url: URL) throws -> SHA256Digest {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw HubError(.cache, "\(url.path): cannot read to verify its sha256")
        }
        defer { try? handle.close() }
        var hash = SHA256()
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: 1 << 20) ?? Data() } catch {
                throw HubError(.cache, "\(url.path): read failed while verifying (\(error.localizedDescription))")
            }
            if chunk.isEmpty { break }
            chunk.withUnsafeBytes { hash.update(buffer: $0) }
        }
        return hash.finalize()
    }
}
