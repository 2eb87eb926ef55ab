import Foundation

/// A bounded, thread-safe least-recently-used cache of class-prompt embeddings, keyed by model,
/// templates and class name, so a long-running process (`clipdetect serve`) encodes a repeated
/// class list only once. Detectors and the zero-shot classifier take one as an option; every
/// lookup goes through ``embeddings(for:templates:model:encode:)``, which encodes only the
/// names it has not seen (in one `encode` call) and returns exactly what
/// `Similarity.promptEnsemble` would.
///
/// ```swift
/// let cache = PromptEmbeddingCache(capacity: 4096)
/// let detector = try Detector(model: model)
/// detector.textCache = cache
/// try detector.setClasses(["cat", "dog"])      // encodes both prompts
/// try detector.setClasses(["dog", "cat"])      // no text encoding
/// print(cache.statistics)                      // hits 2, misses 2
/// ```
///
/// Eviction is O(1) (a doubly linked list over a slot array); the capacity counts names, one
/// vector each (512 floats for ViT-B: 4096 entries ≈ 8 MB).
public final class PromptEmbeddingCache: @unchecked Sendable {
    /// Lookups answered from the cache and lookups that had to encode.
    public struct Statistics: Sendable, Equatable {
        public var hits = 0
        public var misses = 0
        public var count = 0
    }

    public let capacity: Int
    private let lock = NSLock()
    private var index: [String: Int] = [:]
    private var keys: [String] = []
    private var values: [[Float]] = []
    private var prev: [Int] = []
    private var next: [Int] = []
    private var head = -1  // most recently used
    private var tail = -1  // least recently used
    private var stats = Statistics()

    /// - Parameter capacity: most embeddings kept (≥ 1).
    public init(capacity: Int = 4096) {
        self.capacity = max(1, capacity)
    }

    /// Hits, misses and the number of entries so far.
    public var statistics: Statistics {
        lock.lock()
        defer { lock.unlock() }
        var s = stats
        s.count = index.count
        return s
    }

    /// One normalised embedding per name, as `Similarity.promptEnsemble(names, templates:,
    /// encode:)`: cached ones are reused, the rest encoded in one call and stored.
    /// `model` names the encoder (two models must never share a key).
    public func embeddings(for names: [String], templates: [String], model: String,
                           encode: ([String]) throws -> [[Float]]) rethrows -> [[Float]] {
        let prefix = model + "\u{1}" + templates.joined(separator: "\u{2}") + "\u{1}"
        var result = [[Float]?](repeating: nil, count: names.count)
        var missing: [Int] = []
        lock.lock()
        for (i, name) in names.enumerated() {
            if let slot = index[prefix + name] {
                result[i] = values[slot]
                touch(slot)
                stats.hits += 1
            } else {
                missing.append(i)
                stats.misses += 1
            }
        }
        lock.unlock()
        guard !missing.isEmpty else { return result.map { $0! } }
        // Encoded outside the lock: other threads keep using the cache meanwhile.
        let fresh = try Similarity.promptEnsemble(missing.map { names[$0] }, templates: templates, encode: encode)
        lock.lock()
        for (i, e) in zip(missing, fresh) {
            result[i] = e
            insert(prefix + names[i], e)
        }
        lock.unlock()
        return result.map { $0! }
    }

    private func unlink(_ slot: Int) {
        let p = prev[slot], n = next[slot]
        if p >= 0 { next[p] = n } else { head = n }
        if n >= 0 { prev[n] = p } else { tail = p }
    }

    private func pushFront(_ slot: Int) {
        prev[slot] = -1
        next[slot] = head
        if head >= 0 { prev[head] = slot }
        head = slot
        if tail < 0 { tail = slot }
    }

    private func touch(_ slot: Int) {
        guard slot != head else { return }
        unlink(slot)
        pushFront(slot)
    }

    private func insert(_ key: String, _ value: [Float]) {
        if let slot = index[key] {
            values[slot] = value
            touch(slot)
            return
        }
        let slot: Int
        if keys.count < capacity {
            slot = keys.count
            keys.append(key)
            values.append(value)
            prev.append(-1)
            next.append(-1)
        } else {
            slot = tail
            unlink(slot)
            index[keys[slot]] = nil
            keys[slot] = key
            values[slot] = value
        }
        index[key] = slot
        pushFront(slot)
    }
}
