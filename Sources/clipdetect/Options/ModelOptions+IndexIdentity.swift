import CLIP
import Foundation
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

    /// The model to search `db` with and its index identity: the one given on the command line
    /// (`loaded`, when the caller has it already), or else the one model the index was built with.
    func loadForSearch(_ db: ImageIndex, loaded: CLIPModel? = nil) throws -> (CLIPModel, String) {
        if model != nil || config != nil {
            let model = try loaded ?? load()
            return (model, try indexIdentity(of: model, defaultModel: "shapes-tiny").id)
        }
        let stored = try db.models().filter { $0.imageCount > 0 }
        guard !stored.isEmpty else {
            throw CLIPError("\(db.path): the index holds no embeddings yet; run clipdetect index DIR --index \(db.path)")
        }
        guard stored.count == 1 else {
            throw CLIPError("\(db.path): holds embeddings of several models (\(stored.map { "\"\($0.id)\"" }.joined(separator: ", "))); pick one with --model or --config")
        }
        guard let source = stored[0].source else {
            throw CLIPError("\(db.path): does not record where model \"\(stored[0].id)\" came from; give --model")
        }
        let options = try ModelOptions.reloading(ModelIdentity.Source(recorded: source))
        let model = try options.load()
        return (model, try options.indexIdentity(of: model, defaultModel: "shapes-tiny").id)
    }
}
