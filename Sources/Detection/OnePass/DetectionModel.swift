import CLIP
import Foundation

/// A loaded checkpoint of either detector family, so code that serves or runs detections (the
/// CLI, `clipdetect serve`) makes detectors without asking which family it holds.
///
/// ```swift
/// let model = try DetectionModel(folder: ModelLocator.resolve("shapes-tiny"))
/// let detector = try model.detector(options: model.defaultOptions)
/// try detector.setClasses(ClassSpec.parseList("red star,blue circle"))
/// ```
public enum DetectionModel: @unchecked Sendable {
    case clip(CLIPModel)
    case owl(OWLModel)

    /// The family config.json declares (`model_type`): an OWL-ViT / OWLv2 model, else a CLIP
    /// model for the crop detector.
    public init(folder: URL) throws {
        if OWLConfig.declaredFamily(folder.appendingPathComponent("config.json")) != nil {
            self = .owl(try OWLModel(folder: folder))
        } else {
            self = .clip(try CLIPModel(folder: folder))
        }
    }

    public var name: String {
        switch self {
        case .clip(let m): return m.name
        case .owl(let m): return m.name
        }
    }

    /// The CLIP model (classification, embeddings, search need one); nil for OWL.
    public var clipModel: CLIPModel? {
        if case .clip(let m) = self { return m }
        return nil
    }

    /// The options a run starts from before callers adjust them: the crop detector's defaults,
    /// or the OWL defaults (template "a photo of a {}", confidence 0.1, IoU 0.3, no containment,
    /// no refinement) with the model folder's `detection_defaults.json` over them.
    public var defaultOptions: DetectorOptions {
        switch self {
        case .clip: return DetectorOptions()
        case .owl(let m): return OWLDetector.defaultOptions(for: m)
        }
    }

    /// A new detector over this model (detectors are not thread-safe; models may be shared).
    public func detector(options: DetectorOptions) throws -> any ObjectDetector {
        switch self {
        case .clip(let m): return try Detector(model: m, options: options)
        case .owl(let m): return try OWLDetector(model: m, options: options)
        }
    }
}
