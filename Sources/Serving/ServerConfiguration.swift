import Detection
import Foundation
import Imaging

/// Everything that shapes a ``DetectionServer`` besides the models: where it listens, how much
/// work it takes on, and who may call it.
///
/// ```swift
/// var config = ServerConfiguration()
/// config.port = 0                      // any free port; read it from `DetectionServer.port()`
/// config.workers = 2
/// try config.validate()
/// ```
///
/// Defaults, and why:
///
/// | setting | default | why |
/// |---|---|---|
/// | `host` | 127.0.0.1 | nothing outside the machine reaches it unless asked; other addresses need `apiKey` |
/// | `workers` | cores | one model pass per core; a pass already uses the core fully |
/// | `maxQueue` | 4 × workers | admitted requests wait at most ~4 passes; more get 429 at once instead of timing out |
/// | `maxBodyBytes` | 20 MB | a 20 MB JPEG is ~100 megapixels; bodies are never buffered past it |
/// | `maxPixels` | 40 megapixels | a decoded 40 MP image is 120 MB; with 2 workers and a queue of 8 that bounds decoded memory |
/// | `requestTimeout` | 60 s | a request that waits longer answers 504 (its pass, if running, still finishes) |
/// | `shutdownTimeout` | 30 s | in-flight requests get this long after SIGTERM before the process exits |
/// | `cacheCapacity` | 4096 | text-prompt embeddings kept (LRU); ~8 MB at 512 dimensions |
public struct ServerConfiguration: Sendable {
    /// Address to bind: a host name or an IPv4/IPv6 literal.
    public var host = "127.0.0.1"
    /// TCP port; 0 picks a free one.
    public var port = 8080
    /// Model passes that run at once (each on its own thread, all sharing one model).
    public var workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Requests admitted beyond the running ones; one more answers 429.
    public var maxQueue: Int?
    /// Largest request body accepted (413 beyond it).
    public var maxBodyBytes = 20 * 1024 * 1024
    /// Largest image accepted, width × height (413 beyond it).
    public var maxPixels = 40_000_000
    /// Bearer token every API route requires; nil: no authentication (loopback only).
    public var apiKey: String?
    /// Longest a request may take from arrival to answer (504 beyond it).
    public var requestTimeout: Duration = .seconds(60)
    /// Longest in-flight requests may run after shutdown starts.
    public var shutdownTimeout: Duration = .seconds(30)
    /// Text-prompt embeddings kept in the LRU cache.
    public var cacheCapacity = 4096
    /// Detector options requests start from (their `conf`, `iou` and `max_det` override
    /// them); nil: the model family's defaults.
    public var detectorOptions: DetectorOptions?
    /// Stop on SIGTERM and SIGINT (finish in-flight requests, then return from `run`).
    public var handlesSignals = true

    public init() {}

    /// `maxQueue`, or 4 × `workers` when unset.
    public var queueLimit: Int { maxQueue ?? 4 * workers }

    /// True for 127.0.0.0/8, ::1 and "localhost".
    public static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased()
        if h == "localhost" || h == "::1" || h == "[::1]" { return true }
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// Throws a one-line ``ServingError`` for values out of range, and for a non-loopback
    /// `host` without an `apiKey`.
    public func validate() throws {
        guard !host.isEmpty else { throw ServingError("the host to bind is empty") }
        guard (0...65535).contains(port) else { throw ServingError("port \(port) must be in [0, 65535]") }
        guard workers >= 1 else { throw ServingError("workers \(workers) must be ≥ 1") }
        guard queueLimit >= 0 else { throw ServingError("queue limit \(queueLimit) must be ≥ 0") }
        guard maxBodyBytes >= 1 else { throw ServingError("body limit \(maxBodyBytes) bytes must be ≥ 1") }
        guard maxPixels >= 1 else { throw ServingError("pixel limit \(maxPixels) must be ≥ 1") }
        guard requestTimeout > .zero else { throw ServingError("the request time limit must be > 0") }
        guard cacheCapacity >= 1 else { throw ServingError("cache capacity \(cacheCapacity) must be ≥ 1") }
        if let apiKey, apiKey.isEmpty { throw ServingError("the API key is empty") }
        if !Self.isLoopback(host), apiKey == nil {
            throw ServingError("binding to \(host) (not a loopback address) requires an API key")
        }
        try detectorOptions?.validate()
    }
}

/// A failure of the Serving library outside any request (bad configuration, a model that did
/// not load): one line, ready to print after `error: `.
public struct ServingError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
