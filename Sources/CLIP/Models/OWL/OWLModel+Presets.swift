/// Seeded random weights for the released OWL architectures (speed and memory measurements
/// without a download), with the shipped CLIP vocabulary.
///
/// ```swift
/// let model = try OWLModel(preset: "owlvit-b-32", seed: 1)   // real sizes, random weights
/// OWLModel.presetNames  // ["owlvit-b-32", "owlv2-b-16"]
/// ```
extension OWLModel {
    /// The names `init(preset:seed:)` accepts.
    public static var presetNames: [String] { presets.map(\.name) }

    private static let presets: [(name: String, make: () -> OWLConfig)] = [
        ("owlvit-b-32", OWLConfig.owlvitB32), ("owlv2-b-16", OWLConfig.owlv2B16),
    ]

    /// Whether `name` is one of `presetNames` (case-insensitive).
    public static func isPreset(_ name: String) -> Bool { presets.contains { $0.name == name.lowercased() } }

    /// A detector of a released architecture with `RandomWeights(seed:)`, named "random-PRESET".
    ///
    /// - Throws: `CLIPError` for an unknown name, listing the known ones; or when the shipped
    ///   vocabulary is missing.
    public convenience init(preset: String, seed: UInt64) throws {
        guard let config = Self.presets.first(where: { $0.name == preset.lowercased() })?.make() else {
            throw CLIPError("\(preset): unknown preset (use \(Self.presetNames.joined(separator: ", ")))")
        }
        let processor = try OWLImageProcessor.load(folder: nil, family: config.family, imageSize: config.visionConfig.imageSize)
        try self.init(config: config, weights: RandomWeights(seed: seed),
                      tokenizer: BPETokenizer(folder: ModelLocator.shippedVocabulary()),
                      imageProcessor: processor, name: "random-\(preset)")
    }
}
