import Foundation

/// What `ImageIndex.importShards(folder:)` did.
public struct ShardImportReport: Equatable, Sendable {
    /// Parquet files read.
    public var shards = 0
    /// Rows stored with an embedding.
    public var imported = 0
    /// Rows stored as failures (the file did not decode on the worker).
    public var failed = 0
    /// Rows not stored: the worker could not even read the file (path, reason).
    public var skipped: [String] = []
    /// The model ids the rows belong to.
    public var modelIDs: [String] = []
}

extension ImageIndex {
    /// The columns an index shard holds (`tools/ray/clipdetect_ray.py index`): name, type,
    /// whether nulls are allowed.
    static let shardColumns: [(String, ParquetPhysicalType, Bool)] = [
        ("path", .byteArray, false), ("size", .int64, true), ("mtime_ns", .int64, true), ("model", .byteArray, true),
        ("model_source", .byteArray, true), ("embedding", .byteArray, true), ("error", .byteArray, true),
    ]

    /// Imports the index shards (`*.parquet`, hidden files skipped) of `folder`, written by
    /// `tools/ray/clipdetect_ray.py index`, a transaction per shard and model. Rows replace those of
    /// the same path and model, so importing twice changes nothing.
    ///
    /// ```swift
    /// let index = try ImageIndex(path: "photos.sqlite", mode: .create)
    /// let report = try index.importShards(folder: "cluster-out")
    /// print(report.imported, report.modelIDs)
    /// ```
    ///
    /// - Throws: `SearchError` naming the file for a folder without shards, a file that is not
    ///   a readable Parquet file of the expected subset (`ParquetFile`), a schema other than
    ///   the shard schema, or an embedding whose size disagrees with its model's.
    public func importShards(folder: String) throws -> ShardImportReport {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
            throw SearchError("\(folder): no such folder")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0.hasSuffix(".parquet") && !$0.hasPrefix(".") }.sorted()
        guard !names.isEmpty else { throw SearchError("\(folder): no .parquet shards to import") }
        var report = ShardImportReport()
        var imported = Set<String>()
        for name in names {
            let file = (folder as NSString).appendingPathComponent(name)
            let table: ParquetFile
            do {
                table = try ParquetFile(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: file))))
            } catch let e as ParquetError {
                throw SearchError("\(file): \(e.message)")
            } catch {
                throw SearchError("\(file): cannot be read (\(error.localizedDescription))")
            }
            let (byModel, skipped) = try Self.records(in: table, file: file)
            report.skipped += skipped
            for (model, group) in byModel.sorted(by: { $0.key.id < $1.key.id }) {
                // Failures only: take the dimension the model is stored with, if it is.
                guard let dimension = try group.compactMap(\.embedding).first?.count ?? models().first(where: { $0.id == model.id })?.dimension else {
                    report.skipped += group.map { "\($0.file.path): \($0.error ?? "no embedding") (model \"\(model.id)\" has no embeddings to take the dimension from)" }
                    continue
                }
                try store(group, modelID: model.id, dimension: dimension, source: model.source)
                imported.insert(model.id)
                report.imported += group.filter { $0.embedding != nil }.count
                report.failed += group.filter { $0.embedding == nil }.count
            }
            report.shards += 1
        }
        report.modelIDs = imported.sorted()
        return report
    }

    private struct ShardModel: Hashable { var id: String; var source: String? }

    /// The shard's rows as records per model, and the rows that cannot be stored.
    private static func records(in table: ParquetFile, file: String) throws -> ([ShardModel: [IndexRecord]], [String]) {
        for (name, type, nullable) in shardColumns {
            guard let c = table.columns.first(where: { $0.name == name }), c.type == type, nullable || !c.optional else {
                let expected = shardColumns.map { "\($0.0) (\($0.1), \($0.2 ? "optional" : "required"))" }.joined(separator: ", ")
                throw SearchError("\(file): not an index shard (expected columns \(expected))")
            }
        }
        let (paths, sizes, times, ids) = (try table.column("path"), try table.column("size"), try table.column("mtime_ns"), try table.column("model"))
        let (sources, embeddings, errors) = (try table.column("model_source"), try table.column("embedding"), try table.column("error"))
        func text(_ v: ParquetValue?) -> String? {
            if case .bytes(let b)? = v { return String(decoding: b, as: UTF8.self) }
            return nil
        }
        func int(_ v: ParquetValue?) -> Int64? {
            if case .int64(let i)? = v { return i }
            return nil
        }
        var byModel: [ShardModel: [IndexRecord]] = [:]
        var skipped: [String] = []
        for row in 0..<table.rowCount {
            let path = text(paths[row]) ?? ""
            let error = text(errors[row])
            guard let id = text(ids[row]), let size = int(sizes[row]), let mtime = int(times[row]) else {
                skipped.append("\(path): \(error ?? "no model, size or modification time")")
                continue
            }
            var embedding: [Float]?
            if case .bytes(let b)? = embeddings[row] {
                guard b.count % 4 == 0, let v = IndexRecord.embedding(fromBytes: Data(b), dimension: b.count / 4), !v.isEmpty else {
                    throw SearchError("\(file): row \(row) (\(path)): embedding is not a whole number of float32 values")
                }
                embedding = v
            } else if error == nil {
                throw SearchError("\(file): row \(row) (\(path)): neither an embedding nor an error")
            }
            byModel[ShardModel(id: id, source: text(sources[row])), default: []]
                .append(IndexRecord(file: ScannedFile(path: path, size: size, modifiedNanoseconds: mtime),
                                    embedding: embedding, error: embedding == nil ? error : nil))
        }
        return (byModel, skipped)
    }
}
