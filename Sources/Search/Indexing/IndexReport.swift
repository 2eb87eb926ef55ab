/// What an index update did.
public struct IndexReport: Sendable {
    /// The folder as given.
    public var folder: String
    /// The model id the rows were written under.
    public var modelID: String
    /// Image files found under the folder.
    public var found = 0
    /// Files encoded for the first time.
    public var added = 0
    /// Files re-encoded because their size or modification time changed.
    public var modified = 0
    /// Files skipped because nothing changed.
    public var unchanged = 0
    /// Paths whose rows were dropped because the file is gone.
    public var removed: [String] = []
    /// Files that failed to decode in this run: (path, reason).
    public var failures: [(path: String, reason: String)] = []
    /// Unchanged files that failed in an earlier run and were not retried: (path, reason).
    public var knownFailures: [(path: String, reason: String)] = []
    /// Seconds spent decoding, encoding and writing (the scan and model load excluded).
    public var seconds: Double = 0

    /// Files that got a new embedding.
    public var encoded: Int { added + modified - failures.count }

    /// Files processed (encoded or failed) per second of `seconds`.
    public var imagesPerSecond: Double { seconds > 0 ? Double(added + modified) / seconds : 0 }
}
