import Foundation

/// Seeded random weights for the released architectures: the real compute of a model without
/// downloading it (speed measurements, shape checks), with the shipped vocabularies.
///
/// ```swift
/// let model = try CLIPModel(preset: "vit-b-32", seed: 1)   // ViT-B/32 shapes, random weights
/// CLIPModel.presetNames  // ["vit-b-32", "vit-b-16", "vit-l-14", "chinese-clip-vit-b-16"]
/// ```
extension CLIPModel {
    /// The names `init(preset:seed:)` accepts, named as in the benchmarks.
    public static var presetNames: [String] { presets.map(\.name) }

    private enum Architecture {
        case clip(CLIPConfig)
        case chineseCLIP(ChineseCLIPConfig)
    }

    private static let presets: [(name: String, make: () -> Architecture)] = [
        ("vit-b-32", { .clip(.vitB32()) }),
        ("vit-b-16", { .clip(.vitB16()) }),
        ("vit-l-14", { .clip(.vitL14()) }),
        ("chinese-clip-vit-b-16", { .chineseCLIP(.vitB16()) }),
    ]

    /// A model of a released architecture with `RandomWeights(seed:)`, named "random-PRESET".
    ///
    /// - Parameter preset: one of `presetNames` (case-insensitive).
    /// - Throws: `CLIPError` for an unknown name, listing the known ones; or when the shipped
    ///   vocabulary is missing.
    public convenience init(preset: String, seed: UInt64) throws {
        guard let architecture = Self.presets.first(where: { $0.name == preset.lowercased() })?.make() else {
            throw CLIPError("\(preset): unknown preset (use \(Self.presetNames.joined(separator: ", ")))")
        }
        let name = "random-\(preset)"
        switch architecture {
        case .clip(let config):
            try self.init(config: config, weights: RandomWeights(seed: seed),
                          tokenizer: BPETokenizer(folder: ModelLocator.shippedVocabulary()),
                          imageProcessor: ImageProcessor(config: .clipDefaults(imageSize: config.visionConfig.imageSize)),
                          name: name)
        case .chineseCLIP(let config):
            try self.init(config: config, weights: RandomWeights(seed: seed),
                          tokenizer: WordPieceTokenizer(folder: ModelLocator.shippedChineseCLIPVocabulary()),
                          imageProcessor: ImageProcessor(config: .clipDefaults(imageSize: config.visionConfig.imageSize)),
                          name: name)
        }
    }
}
