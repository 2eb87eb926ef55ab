import CLIP
import Detection
import Foundation

/// A checkpoint of either detector family, chosen from config.json (`model_type`).
enum LoadedModel {
    case clip(CLIPModel)
    case owl(OWLModel)

    var name: String {
        switch self {
        case .clip(let m): return m.name
        case .owl(let m): return m.name
        }
    }

    /// The options a run starts from before flags apply: the crop detector's defaults, or the
    /// OWL defaults (template "a photo of a {}", --conf 0.1, --iou 0.3) with the model folder's
    /// `detection_defaults.json` over them.
    var defaultOptions: DetectorOptions {
        switch self {
        case .clip: return DetectorOptions()
        case .owl(let m): return OWLDetector.defaultOptions(for: m)
        }
    }

    func detector(options: DetectorOptions) throws -> any ObjectDetector {
        switch self {
        case .clip(let m): return try Detector(model: m, options: options)
        case .owl(let m): return try OWLDetector(model: m, options: options)
        }
    }
}

extension ModelOptions {
    /// The model for commands that detect: an OWL-ViT / OWLv2 detector when config.json (or
    /// the `--config` preset) says so, else a CLIP model for the crop detector.
    func loadForDetection(defaultModel: String) throws -> LoadedModel {
        if let config, OWLModel.isPreset(config) {
            return .owl(try OWLModel(preset: config, seed: seed))
        }
        if config == nil {
            let folder = try resolveModelFolder(model ?? defaultModel)
            if OWLConfig.declaredFamily(folder.appendingPathComponent("config.json")) != nil {
                return .owl(try OWLModel(folder: folder))
            }
            return .clip(try CLIPModel(folder: folder))
        }
        return .clip(try load(defaultModel: defaultModel))
    }

    /// The detector for `flags` (classes not set yet), with the family's defaults under them.
    func loadDetector(defaultModel: String, flags: DetectionFlags,
                      adjust: (inout DetectorOptions) -> Void = { _ in }) throws -> (detector: any ObjectDetector, model: LoadedModel) {
        let loaded = try loadForDetection(defaultModel: defaultModel)
        var options = try flags.detectorOptions(base: loaded.defaultOptions)
        adjust(&options)
        return (try loaded.detector(options: options), loaded)
    }
}
