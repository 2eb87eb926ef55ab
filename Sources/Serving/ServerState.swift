import CLIP
import Foundation

/// What every handler shares: the configuration, the models once loaded, the worker pool, the
/// prompt-embedding cache and the metrics.
final class ServerState: @unchecked Sendable {
    enum Phase {
        case loading
        case ready(ServedModels)
        case failed(any Error)
        case stopping
    }

    let configuration: ServerConfiguration
    let pool: WorkerPool
    let cache: PromptEmbeddingCache
    let metrics = ServerMetrics()
    private let lock = NSLock()
    private var phase = Phase.loading

    init(configuration: ServerConfiguration) {
        self.configuration = configuration
        pool = WorkerPool(workers: configuration.workers, queueLimit: configuration.queueLimit)
        cache = PromptEmbeddingCache(capacity: configuration.cacheCapacity)
        let metrics = metrics
        pool.onChange = { waiting, running in
            metrics.queueDepth.set(Double(waiting))
            metrics.busy.set(Double(running))
        }
    }

    func set(_ newPhase: Phase) {
        lock.lock()
        defer { lock.unlock() }
        if case .stopping = phase { return }
        phase = newPhase
    }

    /// The models, or 503 while loading or stopping.
    func ready() throws -> ServedModels {
        lock.lock()
        defer { lock.unlock() }
        switch phase {
        case .ready(let models): return models
        case .loading: throw APIError(.serviceUnavailable, "the model is still loading", retryAfter: 1)
        case .failed: throw APIError(.serviceUnavailable, "the model failed to load")
        case .stopping: throw APIError(.serviceUnavailable, "the server is shutting down", retryAfter: 1)
        }
    }

    var loadError: (any Error)? {
        lock.lock()
        defer { lock.unlock() }
        if case .failed(let e) = phase { return e }
        return nil
    }

    /// Counts images and crops through the encoder, and the cache's lookups so far.
    func counted(images: Int, crops: Int) {
        metrics.images.increment(by: Int64(images))
        metrics.crops.increment(by: Int64(crops))
        let s = cache.statistics
        metrics.cache(hits: s.hits, misses: s.misses)
    }
}
