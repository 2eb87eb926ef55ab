import CLIP
import Dispatch
import Foundation
import GRDB
import Imaging

extension ImageIndex {
    /// Brings the index up to date with the image files under `folder` (recursively).
    ///
    /// New files are encoded, files whose size or modification time changed are re-encoded,
    /// unchanged files are skipped, and rows of files under `folder` that are gone are dropped.
    /// Files that fail to decode are recorded with the reason (and not retried until they
    /// change). While one batch runs through the image encoder, the next is decoded and
    /// preprocessed on a background queue. Each batch is committed in its own transaction:
    /// interrupting the update loses at most the batch in flight, and the next run resumes.
    ///
    /// ```swift
    /// let report = try index.update(folder: "photos", model: model) { p in print(p.line()) }
    /// print(report.added, report.failures)
    /// ```
    ///
    /// - Throws: `SearchError` when the folder is missing, the model id is already stored with
    ///   another embedding size, or the database cannot be written.
    @discardableResult
    public func update(folder: String, model: CLIPModel, options: IndexOptions = IndexOptions(),
                       progress: ((IndexProgress) -> Void)? = nil) throws -> IndexReport {
        guard options.batchSize >= 1 else { throw SearchError("batch size \(options.batchSize): must be ≥ 1") }
        let modelID = options.modelID ?? ModelIdentity.id(of: model)
        let dim = model.embeddingDimension
        let scanned = try FolderScanner(extensions: options.extensions).scan(folder)
        let root = FolderScanner.root(of: folder)
        try register(modelID: modelID, dimension: dim, source: options.modelSource)
        let allPaths = try wrap { try database.read { try String.fetchAll($0, sql: "SELECT DISTINCT path FROM images") } }
        let plan = IndexPlan(scanned: scanned, stored: try storedFiles(modelID: modelID), root: root, allStoredPaths: allPaths)

        var report = IndexReport(folder: folder, modelID: modelID)
        report.found = scanned.count
        report.added = plan.added.count
        report.modified = plan.modified.count
        report.unchanged = plan.unchanged
        report.knownFailures = plan.knownFailures
        report.removed = plan.removed
        if !plan.removed.isEmpty {
            try wrap {
                try database.write { db in
                    let delete = try db.makeStatement(sql: "DELETE FROM images WHERE path = ?")
                    for p in plan.removed { try delete.execute(arguments: [p]) }
                }
            }
        }

        let work = plan.toEncode
        let start = DispatchTime.now().uptimeNanoseconds
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 }
        progress?(IndexProgress(done: 0, total: work.count, elapsedSeconds: 0))
        let batches = stride(from: 0, to: work.count, by: options.batchSize).map {
            Array(work[$0..<min($0 + options.batchSize, work.count)])
        }
        let decoder = DispatchQueue(label: "clipdetect.index.decode", qos: .userInitiated)
        var next = batches.first.map { files in Prefetch(on: decoder) { PreparedBatch(files, model: model) } }
        var done = 0
        for i in batches.indices {
            let batch = next!.wait()
            // Decode the next batch while this one runs through the encoder.
            next = i + 1 < batches.count ? Prefetch(on: decoder) { [batches] in PreparedBatch(batches[i + 1], model: model) } : nil
            try commit(batch.records(batch.encode(with: model, batchSize: options.batchSize)), modelID: modelID)
            report.failures += batch.failures.map { ($0.file.path, $0.reason) }
            done += batch.files.count
            progress?(IndexProgress(done: done, total: work.count, elapsedSeconds: elapsed()))
        }
        report.seconds = elapsed()
        return report
    }

    func register(modelID: String, dimension: Int, source: String?) throws {
        try wrap {
            try database.write { db in
                if let stored = try Int.fetchOne(db, sql: "SELECT dimension FROM models WHERE id = ?", arguments: [modelID]),
                   stored != dimension {
                    throw SearchError("\(path): model \"\(modelID)\" is stored with \(stored)-d embeddings but now gives \(dimension)-d; use another index file")
                }
                try db.execute(sql: """
                    INSERT INTO models (id, dimension, source) VALUES (?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET source = COALESCE(excluded.source, models.source)
                    """, arguments: [modelID, dimension, source])
            }
        }
    }

    func commit(_ records: [IndexRecord], modelID: String) throws {
        try wrap {
            try database.write { db in
                let upsert = try db.cachedStatement(sql: """
                    INSERT OR REPLACE INTO images (path, model, size, mtime_ns, embedding, error) VALUES (?, ?, ?, ?, ?, ?)
                    """)
                for r in records {
                    try upsert.execute(arguments: [r.file.path, modelID, r.file.size, r.file.modifiedNanoseconds, r.embeddingBytes, r.error])
                }
            }
        }
    }
}
