import CLIP
import Foundation

/// One row of an index for one model, as `ImageIndex.update` computes and stores it: the file
/// (path, size, modification time) and either its embedding or why it could not be decoded.
///
/// ```swift
/// let file = try ScannedFile(statting: "photos/cat.jpg")
/// let records = IndexRecord.compute([file], model: model)      // the embedding `index` would store
/// try index.store(records, modelID: ModelIdentity.id(of: model), dimension: model.embeddingDimension)
/// ```
///
/// `clipdetect worker` computes records on cluster nodes and `clipdetect index --import`
/// stores them: the same code as a local `index` run, so both give the same rows.
public struct IndexRecord: Equatable, Sendable {
    public var file: ScannedFile
    /// The unnormalised image embedding (`get_image_features`); nil when `error` is set.
    public var embedding: [Float]?
    /// Why the file could not be decoded.
    public var error: String?

    public init(file: ScannedFile, embedding: [Float]?, error: String? = nil) {
        self.file = file
        self.embedding = embedding
        self.error = error
    }

    /// Decodes and embeds `files` (in batches of `batchSize`, as an index update does); files
    /// that fail to decode become records with the reason. Same order as `files`.
    public static func compute(_ files: [ScannedFile], model: CLIPModel, batchSize: Int = 32) -> [IndexRecord] {
        stride(from: 0, to: files.count, by: max(1, batchSize)).flatMap { start -> [IndexRecord] in
            let batch = PreparedBatch(Array(files[start..<min(start + batchSize, files.count)]), model: model)
            return batch.records(batch.encode(with: model, batchSize: batchSize))
        }
    }

    /// The embedding as stored: little-endian float32 bytes.
    public var embeddingBytes: Data? { embedding.map(EmbeddingBlob.encode) }

    /// Reads `bytes` (little-endian float32) as an embedding; nil unless it holds `dimension` values.
    public static func embedding(fromBytes bytes: Data, dimension: Int) -> [Float]? {
        var out: [Float] = []
        out.reserveCapacity(dimension)
        return EmbeddingBlob.append(bytes, dimension: dimension, to: &out) ? out : nil
    }
}

extension ScannedFile {
    /// The file at `path` as an index stores it: absolute standardised path, size and
    /// modification time in nanoseconds.
    /// - Throws: `SearchError` naming `path` when it does not exist or is not a regular file.
    public init(statting path: String) throws {
        let absolute = FolderScanner.root(of: path)
        var st = stat()
        guard stat(absolute, &st) == 0 else {
            throw SearchError("\(path): \(errno == ENOENT ? "no such file" : String(cString: strerror(errno)))")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw SearchError("\(path): not a regular file") }
        self.init(path: absolute, size: Int64(st.st_size),
                  modifiedNanoseconds: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec))
    }
}

extension ImageIndex {
    /// Stores `records` under `modelID` (registered with `dimension` and `source` when new) in
    /// one transaction, replacing rows of the same paths.
    /// - Throws: `SearchError` when an embedding does not have `dimension` values, the model id
    ///   is stored with another dimension, or the database cannot be written.
    public func store(_ records: [IndexRecord], modelID: String, dimension: Int, source: String? = nil) throws {
        if let bad = records.first(where: { $0.embedding.map { $0.count != dimension } ?? false }) {
            throw SearchError("\(bad.file.path): embedding has \(bad.embedding?.count ?? 0) values, not \(dimension)")
        }
        try register(modelID: modelID, dimension: dimension, source: source)
        try commit(records, modelID: modelID)
    }
}
