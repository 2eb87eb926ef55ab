import ArgumentParser
import CLIP
import Foundation

/// `--model` / `--config`: which CLIP to run.
struct ModelOptions: ParsableArguments {
    @Option(help: "Model folder (Hugging Face CLIPModel layout), shipped model name from models/, or hub id ORG/NAME[@REVISION] (Hugging Face cache, downloaded on first use).")
    var model: String?

    @Option(help: "Run seeded random weights of a preset architecture instead of a checkpoint: vit-b-32, vit-b-16, vit-l-14, chinese-clip-vit-b-16, and for detection owlvit-b-32, owlv2-b-16 (for speed measurements; no download).")
    var config: String?

    @Option(help: "Seed for --config random weights.")
    var seed: UInt64 = 0x5EED

    func validate() throws {
        try ArgumentChecks.exclusive(["--model", "--config"], given: [model != nil, config != nil])
    }

    func load(defaultModel: String? = nil) throws -> CLIPModel {
        if let config {
            return try CLIPModel(preset: config, seed: seed)
        }
        guard let name = model ?? defaultModel else {
            throw CLIPError("no model given: use --model FOLDER|NAME or --config PRESET")
        }
        return try CLIPModel(folder: resolveModelFolder(name))
    }
}
