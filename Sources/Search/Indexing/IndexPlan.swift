/// What an index update has to do, from the files on disk and the rows already stored.
///
/// ```swift
/// let plan = IndexPlan(scanned: files, stored: rows, root: "/photos")
/// plan.toEncode      // new and modified files
/// plan.removed       // stored paths under /photos that are gone
/// ```
///
/// A file is unchanged when its size and modification time (to the nanosecond) both match the
/// stored row; anything else is re-encoded. Only stored paths inside `root` can be removed, so
/// one index can hold several folders.
public struct IndexPlan: Equatable, Sendable {
    /// A row as stored in the index.
    public struct StoredFile: Equatable, Sendable {
        public var path: String
        public var size: Int64
        public var modifiedNanoseconds: Int64
        /// Why the file could not be encoded last time, or nil when it has an embedding.
        public var error: String?

        public init(path: String, size: Int64, modifiedNanoseconds: Int64, error: String? = nil) {
            self.path = path
            self.size = size
            self.modifiedNanoseconds = modifiedNanoseconds
            self.error = error
        }
    }

    /// Files with no stored row.
    public var added: [ScannedFile] = []
    /// Files whose size or modification time changed.
    public var modified: [ScannedFile] = []
    /// Number of files that need no work.
    public var unchanged = 0
    /// Unchanged files that failed to decode last time: (path, reason), not retried.
    public var knownFailures: [(path: String, reason: String)] = []
    /// Stored paths under the root that no longer exist (rows of every model are dropped).
    public var removed: [String] = []

    /// New and modified files, in path order.
    public var toEncode: [ScannedFile] { (added + modified).sorted { $0.path < $1.path } }

    /// - Parameters:
    ///   - stored: this model's rows.
    ///   - allStoredPaths: every stored path of any model, when other models' rows should be
    ///     dropped too (nil: `stored`'s paths).
    public init(scanned: [ScannedFile], stored: [StoredFile], root: String, allStoredPaths: [String]? = nil) {
        var byPath: [String: StoredFile] = [:]
        for s in stored { byPath[s.path] = s }
        var present = Set<String>()
        for f in scanned {
            present.insert(f.path)
            guard let s = byPath[f.path] else { added.append(f); continue }
            if s.size == f.size && s.modifiedNanoseconds == f.modifiedNanoseconds {
                unchanged += 1
                if let e = s.error { knownFailures.append((f.path, e)) }
            } else {
                modified.append(f)
            }
        }
        let prefix = root.hasSuffix("/") ? root : root + "/"
        removed = Set(allStoredPaths ?? stored.map(\.path)).filter { $0.hasPrefix(prefix) && !present.contains($0) }.sorted()
    }

    public static func == (a: IndexPlan, b: IndexPlan) -> Bool {
        a.added == b.added && a.modified == b.modified && a.unchanged == b.unchanged && a.removed == b.removed
            && a.knownFailures.map(\.path) == b.knownFailures.map(\.path)
    }
}
