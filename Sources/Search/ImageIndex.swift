import CLIP
import Foundation
import GRDB

/// A SQLite file of image embeddings: per (path, model id) the file's size, modification time
/// and CLIP embedding (or why it could not be decoded).
///
/// ```swift
/// let index = try ImageIndex(path: "photos.sqlite", mode: .create)
/// let report = try index.update(folder: "photos", model: model)       // incremental
/// let matrix = try index.embeddings(modelID: ModelIdentity.id(of: model))
/// let hits = matrix.search(try model.encodeTexts(["a giraffe"])[0], k: 5)
/// ```
///
/// Schema (created by a GRDB migration, `v1`):
/// `models(id TEXT PRIMARY KEY, dimension INTEGER, source TEXT)` and
/// `images(path TEXT, model TEXT, size INTEGER, mtime_ns INTEGER, embedding BLOB, error TEXT,
/// PRIMARY KEY (path, model))`, embeddings as little-endian float32 blobs, unnormalised
/// (`get_image_features`). Every write is a transaction, so a crash leaves the file consistent.
public final class ImageIndex {
    /// How to open the file.
    public enum Mode: Sendable {
        /// Read only; the file must exist and be an index.
        case readOnly
        /// Read and write; the file is created (with its folder's permissions) when missing.
        case create
    }

    /// A model recorded in the index.
    public struct ModelRecord: Equatable, Sendable {
        public var id: String
        public var dimension: Int
        /// Where the model came from (a folder path or `config:PRESET:SEED`), when known.
        public var source: String?
        /// Number of images with an embedding from this model.
        public var imageCount: Int
    }

    /// The file path as given.
    public let path: String
    let database: DatabaseQueue

    /// Opens (or, in `.create` mode, creates) the index at `path`.
    /// - Throws: `SearchError` naming `path` when it is missing (read-only), not a SQLite file,
    ///   a SQLite file of something else, or cannot be created.
    public init(path: String, mode: Mode) throws {
        self.path = path
        var isDir: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDir)
        if isDir.boolValue { throw SearchError("\(path): is a folder, not an index file") }
        if mode == .readOnly, !exists {
            throw SearchError("\(path): no such index; create it (mode .create) and fill it with update(folder:model:) first")
        }
        var config = Configuration()
        config.readonly = mode == .readOnly
        config.busyMode = .timeout(10)
        do {
            database = try DatabaseQueue(path: path, configuration: config)
            try Self.checkOrMigrate(database, readOnly: mode == .readOnly, isNew: !exists)
        } catch {
            // A new index that could not be set up (full disk, ...) leaves no file behind.
            if !exists {
                for suffix in ["", "-journal", "-wal", "-shm"] { unlink(path + suffix) }
            }
            switch error {
            case let e as SearchError:
                throw SearchError("\(path): \(e.message)")
            case let e as DatabaseError:
                let what = exists ? "not a usable index" : "cannot create the index"
                throw SearchError("\(path): \(what) (\(e.message ?? "SQLite error \(e.resultCode)"))")
            default:
                throw SearchError("\(path): cannot open the index (\(error))")
            }
        }
    }

    /// An empty index in memory (nothing touches the disk), e.g. to hold imported shards for
    /// one search; `name` stands in for the path in messages.
    ///
    /// ```swift
    /// let index = try ImageIndex(inMemoryNamed: "cluster-out")
    /// _ = try index.importShards(folder: "cluster-out")
    /// ```
    public init(inMemoryNamed name: String) throws {
        path = name
        do {
            database = try DatabaseQueue()
            try Self.checkOrMigrate(database, readOnly: false, isNew: true)
        } catch {
            throw SearchError("\(name): cannot set up an index in memory (\(error))")
        }
    }

    private static func checkOrMigrate(_ db: DatabaseQueue, readOnly: Bool, isNew: Bool) throws {
        let tables = try db.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        let ours = tables.contains("images") && tables.contains("models")
        // Never add tables to someone else's database.
        if !isNew, !tables.isEmpty, !ours {
            throw SearchError("is a SQLite file but not a clipdetect index (no images/models tables)")
        }
        if readOnly {
            guard ours else { throw SearchError("is empty, not an index; build it with `clipdetect index DIR`") }
            return
        }
        if isNew || tables.isEmpty {
            // A 512-d row is ~2.1 kB: 4 kB pages hold one row each and waste half the file;
            // 16 kB pages hold seven. Only takes effect before the first table exists.
            try db.writeWithoutTransaction { try $0.execute(sql: "PRAGMA page_size = 16384") }
        }
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS models (
                    id TEXT PRIMARY KEY NOT NULL,
                    dimension INTEGER NOT NULL,
                    source TEXT);
                CREATE TABLE IF NOT EXISTS images (
                    path TEXT NOT NULL,
                    model TEXT NOT NULL REFERENCES models(id) ON DELETE CASCADE,
                    size INTEGER NOT NULL,
                    mtime_ns INTEGER NOT NULL,
                    embedding BLOB,
                    error TEXT,
                    PRIMARY KEY (path, model));
                """)
        }
        try migrator.migrate(db)
    }

    /// The models that have rows in the index, by id.
    public func models() throws -> [ModelRecord] {
        try wrap {
            try database.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT m.id, m.dimension, m.source,
                           (SELECT COUNT(*) FROM images i WHERE i.model = m.id AND i.embedding IS NOT NULL) AS n
                    FROM models m ORDER BY m.id
                    """).map { ModelRecord(id: $0[0], dimension: $0[1], source: $0[2], imageCount: $0[3]) }
            }
        }
    }

    /// The stored rows of one model (paths, sizes, times, errors; not the embeddings).
    public func storedFiles(modelID: String) throws -> [IndexPlan.StoredFile] {
        try wrap {
            try database.read { db in
                try Row.fetchAll(db, sql: "SELECT path, size, mtime_ns, error FROM images WHERE model = ?", arguments: [modelID])
                    .map { IndexPlan.StoredFile(path: $0[0], size: $0[1], modifiedNanoseconds: $0[2], error: $0[3]) }
            }
        }
    }

    /// All embeddings of `modelID`, normalised, in one contiguous matrix (path order).
    /// - Throws: `SearchError` when the index has no embeddings for `modelID` (naming the
    ///   models it does have), or a stored blob has the wrong size.
    public func embeddings(modelID: String) throws -> EmbeddingMatrix {
        let known = try models()
        guard let record = known.first(where: { $0.id == modelID }), record.imageCount > 0 else {
            let others = known.filter { $0.imageCount > 0 }.map { "\"\($0.id)\" (\($0.imageCount) images)" }
            if others.isEmpty { throw SearchError("\(path): the index holds no embeddings yet; index a folder into it first") }
            throw SearchError("\(path): no embeddings for model \"\(modelID)\"; the index holds \(others.joined(separator: ", ")): search with that model or re-index with this one")
        }
        let dim = record.dimension
        return try wrap {
            try database.read { db in
                var paths: [String] = []
                var values: [Float] = []
                paths.reserveCapacity(record.imageCount)
                values.reserveCapacity(record.imageCount * dim)
                let rows = try Row.fetchCursor(db, sql: "SELECT path, embedding FROM images WHERE model = ? AND embedding IS NOT NULL ORDER BY path",
                                               arguments: [modelID])
                while let row = try rows.next() {
                    let p: String = row[0]
                    let ok = try row.withUnsafeData(atIndex: 1) { data in
                        data.map { EmbeddingBlob.append($0, dimension: dim, to: &values) } ?? false
                    }
                    guard ok else { throw SearchError("\(path): the embedding of \(p) is not \(dim) float32 values; the index is damaged, delete it and re-index") }
                    paths.append(p)
                }
                return EmbeddingMatrix(paths: paths, dimension: dim, unnormalized: values)
            }
        }
    }

    /// Runs a database call, turning GRDB errors into one-line `SearchError`s naming the file.
    func wrap<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as SearchError {
            throw e
        } catch let e as DatabaseError {
            throw SearchError("\(path): \(e.message ?? "SQLite error \(e.resultCode)")")
        }
    }
}
