import CLIP

/// Text→image and image→image search over an index, with one loaded model.
///
/// ```swift
/// let index = try ImageIndex(path: "photos.sqlite", mode: .readOnly)
/// let searcher = try ImageSearcher(index: index, model: model)
/// for hit in try searcher.search(text: "a giraffe", k: 5) { print(hit.path, hit.score) }
/// let similar = searcher.search(image: try ImageLoader.load(path: "query.jpg"), k: 5)
/// ```
///
/// The index's embeddings for the model are loaded once into an `EmbeddingMatrix`; each query
/// is then one encoder call and one matrix-vector product. Text queries are embedded as
/// written (no prompt template), which is how CLIP retrieval is usually run. Scores are cosine
/// similarities, so an indexed image used as the query scores ≈ 1 against itself.
public final class ImageSearcher: @unchecked Sendable {
    public let model: CLIPModel
    public let matrix: EmbeddingMatrix

    /// Loads the embeddings `index` holds for `model` (under `modelID`, by default
    /// `ModelIdentity.id(of: model)`).
    /// - Throws: `SearchError` when the index has no embeddings for that model.
    public convenience init(index: ImageIndex, model: CLIPModel, modelID: String? = nil) throws {
        try self.init(matrix: index.embeddings(modelID: modelID ?? ModelIdentity.id(of: model)), model: model)
    }

    /// Searches an already loaded matrix.
    /// - Throws: `SearchError` when the matrix and the model disagree on the embedding size.
    public init(matrix: EmbeddingMatrix, model: CLIPModel) throws {
        guard matrix.dimension == model.embeddingDimension else {
            throw SearchError("the index holds \(matrix.dimension)-d embeddings but model \(model.name) gives \(model.embeddingDimension)-d")
        }
        self.model = model
        self.matrix = matrix
    }

    /// The `k` indexed images closest to the text, best first.
    /// - Throws: `SearchError` for an empty query, or the model's error.
    public func search(text: String, k: Int) throws -> [SearchHit] {
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw SearchError("the text query is empty")
        }
        return matrix.search(try model.encodeTexts([text])[0], k: k)
    }

    /// The `k` indexed images closest to `image`, best first.
    public func search(image: RGBImage, k: Int) -> [SearchHit] {
        matrix.search(model.encodeImages([image])[0], k: k)
    }
}

import Foundation
