import CLIP

/// One search result: an indexed file and its cosine similarity to the query.
public struct SearchHit: Codable, Equatable, Sendable {
    public var path: String
    /// Cosine similarity in [-1, 1] (1: same direction as the query).
    public var score: Float

    public init(path: String, score: Float) {
        self.path = path
        self.score = score
    }
}

/// Embeddings of many files in one contiguous row-major `[count, dimension]` buffer of unit
/// vectors, so scoring a query is one matrix-vector product.
///
/// ```swift
/// let matrix = try index.embeddings(modelID: id)           // e.g. 100,000 × 512
/// let hits = matrix.search(queryEmbedding, k: 10)          // best first, cosine scores
/// ```
///
/// Scoring uses `Similarity.topK`: one `cblas_sgemv` plus a size-k heap; 100,000 × 512 takes
/// a few tens of milliseconds (see `clipdetect bench-search`).
public struct EmbeddingMatrix: Sendable {
    /// File paths, one per row.
    public let paths: [String]
    /// Length of every row.
    public let dimension: Int
    /// `paths.count × dimension` floats, every row of unit length (zero rows stay zero).
    public let values: [Float]

    /// Number of rows.
    public var count: Int { paths.count }

    /// Builds the matrix from raw embeddings, normalising each row.
    /// - Precondition: `unnormalized.count == paths.count * dimension`, `dimension > 0`.
    public init(paths: [String], dimension: Int, unnormalized: [Float]) {
        precondition(dimension > 0 && unnormalized.count == paths.count * dimension,
                     "EmbeddingMatrix needs paths.count × dimension values")
        var v = unnormalized
        v.withUnsafeMutableBufferPointer { buf in
            for r in 0..<paths.count {
                let row = UnsafeMutableBufferPointer(rebasing: buf[(r * dimension)..<((r + 1) * dimension)])
                var s: Float = 0
                for x in row { s += x * x }
                guard s > 0 else { continue }
                let inv = 1 / s.squareRoot()
                for i in row.indices { row[i] *= inv }
            }
        }
        self.paths = paths
        self.dimension = dimension
        self.values = v
    }

    /// The `k` rows most similar to `query` (any length-`dimension` vector; it is normalised
    /// here), best first, with cosine scores.
    /// - Precondition: `query.count == dimension`.
    public func search(_ query: [Float], k: Int) -> [SearchHit] {
        precondition(query.count == dimension, "query has \(query.count) values, the index \(dimension)")
        return Similarity.topK(query: Similarity.normalized(query), matrix: values, count: count, k: k)
            .map { SearchHit(path: paths[$0.index], score: $0.score) }
    }
}
