import CLIP
import Search

extension ModelOptions {
    /// The identity `index` stores for `model` loaded with these options.
    func indexIdentity(of model: CLIPModel, defaultModel: String) throws -> ModelIdentity {
        if let config {
            return ModelIdentity(model: model, source: .randomPreset(config, seed: seed))
        }
        return ModelIdentity(model: model, source: .folder(try resolveModelFolder(self.model ?? defaultModel).path))
    }

    /// Options that reload the model `source` names.
    static func reloading(_ source: ModelIdentity.Source) throws -> ModelOptions {
        switch source {
        case .randomPreset(let name, let seed): return try ModelOptions.parse(["--config", name, "--seed", String(seed)])
        case .folder(let path): return try ModelOptions.parse(["--model", path])
        }
    }
}
