import CLIP
import Detection
import Foundation

extension ModelOptions {
    /// The model for commands that detect: an OWL-ViT / OWLv2 detector when config.json (or
    /// the `--config` preset) says so, else a CLIP model for the crop detector.
    func loadForDetection(defaultModel: String) throws -> DetectionModel {
        if let config, OWLModel.isPreset(config) {
            return .owl(try OWLModel(preset: config, seed: seed))
        }
        if config == nil {
            return try DetectionModel(folder: resolveModelFolder(model ?? defaultModel))
        }
        return .clip(try load(defaultModel: defaultModel))
    }

    /// The detector for `flags` (classes not set yet), with the family's defaults under them.
    func loadDetector(defaultModel: String, flags: DetectionFlags,
                      adjust: (inout DetectorOptions) -> Void = { _ in }) throws -> (detector: any ObjectDetector, model: DetectionModel) {
        let loaded = try loadForDetection(defaultModel: defaultModel)
        var options = try flags.detectorOptions(base: loaded.defaultOptions)
        adjust(&options)
        return (try loaded.detector(options: options), loaded)
    }
}
