import CLIP

/// Which model an index's embeddings belong to: the id its rows are stored under, and where the
/// model came from so a later search can reload the same weights.
///
/// ```swift
/// ModelIdentity.id(of: model)   // "shapes-tiny 512d logit_scale=4.6052"
/// let identity = ModelIdentity(model: model, source: .folder("/models/shapes-tiny"))
/// try index.update(folder: "photos", model: model,
///                  options: IndexOptions(modelID: identity.id, modelSource: identity.source.recorded))
/// // later: reload what `ModelIdentity.Source(recorded: record.source!)` names
/// ```
///
/// Embeddings of different models live side by side in one index, keyed by the id, so
/// switching models never mixes incomparable vectors. The default id combines the model's name
/// (its folder name), the embedding size and the stored `logit_scale`, a learned parameter that
/// differs between trainings: a retrained checkpoint under the same folder name gets its own
/// rows. Random-weight presets add their seed, as the seed changes the weights but not the name.
public struct ModelIdentity: Sendable, Equatable {
    /// Where a model's weights come from.
    public enum Source: Sendable, Equatable {
        /// A checkpoint folder (Hugging Face CLIPModel layout).
        case folder(String)
        /// Seeded random weights of a named architecture preset (e.g. "vit-b-32").
        case randomPreset(String, seed: UInt64)

        /// The text an index records: the folder path, or `config:PRESET:SEED`.
        public var recorded: String {
            switch self {
            case .folder(let path): return path
            case .randomPreset(let name, let seed): return "config:\(name):\(seed)"
            }
        }

        /// The source `recorded` names; anything that is not `config:PRESET:SEED` is a folder.
        public init(recorded text: String) {
            let parts = text.split(separator: ":", maxSplits: 2).map(String.init)
            if parts.count == 3, parts[0] == "config", let seed = UInt64(parts[2]) {
                self = .randomPreset(parts[1], seed: seed)
            } else {
                self = .folder(text)
            }
        }
    }

    /// The id rows are stored under.
    public var id: String
    public var source: Source

    /// The identity of `model` loaded from `source`.
    public init(model: CLIPModel, source: Source) {
        self.source = source
        if case .randomPreset(_, let seed) = source {
            id = Self.id(of: model) + " seed=\(seed)"
        } else {
            id = Self.id(of: model)
        }
    }

    /// The default id of `model` (checkpoint models; without the seed of a random preset).
    public static func id(of model: CLIPModel) -> String {
        "\(model.name) \(model.embeddingDimension)d logit_scale=\(model.logitScaleParameter)"
    }
}
