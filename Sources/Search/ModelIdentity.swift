import CLIP

/// The string an index stores to tell embeddings of different models apart.
///
/// ```swift
/// ModelIdentity.id(of: model)   // "shapes-tiny 512d logit_scale=4.6052"
/// ```
///
/// Embeddings of different models live side by side in one index, keyed by this id, so
/// switching models never mixes incomparable vectors. The id combines the model's name (its
/// folder name), the embedding size and the stored `logit_scale`, a learned parameter that
/// differs between trainings: a retrained checkpoint under the same folder name gets its own
/// rows. Callers who need a stricter identity pass their own id to the index.
public enum ModelIdentity {
    /// The default id of `model`.
    public static func id(of model: CLIPModel) -> String {
        "\(model.name) \(model.embeddingDimension)d logit_scale=\(model.logitScaleParameter)"
    }
}
