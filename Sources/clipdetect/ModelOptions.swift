import ArgumentParser
import CLIP
import Foundation

/// `--model` / `--config`: which CLIP to run.
struct ModelOptions: ParsableArguments {
    @Option(help: "Model folder (Hugging Face CLIPModel layout), shipped model name from models/, or hub id ORG/NAME[@REVISION] (Hugging Face cache, downloaded on first use).")
    var model: String?

    @Option(help: "Run seeded random weights of a preset architecture instead of a checkpoint: vit-b-32, vit-b-16, vit-l-14, chinese-clip-vit-b-16 (for speed measurements; no download).")
    var config: String?

    @Option(help: "Seed for --config random weights.")
    var seed: UInt64 = 0x5EED

    func load(defaultModel: String? = nil) throws -> CLIPModel {
        if let config {
            if model != nil { throw CLIPError("--model and --config are exclusive: pick one") }
            if let chinese = ChineseCLIPConfig.preset(named: config) {
                let tokenizer = try WordPieceTokenizer(folder: ModelLocator.shippedChineseCLIPVocabulary())
                return try CLIPModel(config: chinese, weights: RandomWeights(seed: seed), tokenizer: tokenizer,
                                     imageProcessor: ImageProcessor(config: .clipDefaults(imageSize: chinese.visionConfig.imageSize)),
                                     name: "random-\(config)")
            }
            guard let preset = CLIPConfig.preset(named: config) else {
                let names = CLIPConfig.presetNames + ChineseCLIPConfig.presets.map(\.name)
                throw CLIPError("--config \(config): unknown preset (use \(names.joined(separator: ", ")))")
            }
            let tokenizer = try BPETokenizer(folder: ModelLocator.shippedVocabulary())
            return try CLIPModel(config: preset, weights: RandomWeights(seed: seed), tokenizer: tokenizer,
                                 imageProcessor: ImageProcessor(config: .clipDefaults(imageSize: preset.visionConfig.imageSize)),
                                 name: "random-\(config)")
        }
        guard let name = model ?? defaultModel else {
            throw CLIPError("no model given: use --model FOLDER|NAME or --config PRESET")
        }
        return try CLIPModel(folder: resolveModelFolder(name))
    }
}

extension CLIPConfig {
    /// Architectures `--config` accepts, named as in the benchmarks.
    static let presets: [(name: String, make: () -> CLIPConfig)] = [
        ("vit-b-32", CLIPConfig.vitB32), ("vit-b-16", CLIPConfig.vitB16), ("vit-l-14", CLIPConfig.vitL14),
    ]
    static var presetNames: [String] { presets.map(\.name) }
    static func preset(named name: String) -> CLIPConfig? {
        presets.first { $0.name == name.lowercased() }?.make()
    }
}

extension ChineseCLIPConfig {
    /// Chinese-CLIP architectures `--config` accepts (random weights, shipped WordPiece vocabulary).
    static let presets: [(name: String, make: () -> ChineseCLIPConfig)] = [
        ("chinese-clip-vit-b-16", ChineseCLIPConfig.vitB16),
    ]
    static func preset(named name: String) -> ChineseCLIPConfig? {
        presets.first { $0.name == name.lowercased() }?.make()
    }
}
