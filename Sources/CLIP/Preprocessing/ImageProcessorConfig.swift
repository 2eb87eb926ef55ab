import Foundation

/// The settings of `preprocessor_config.json` that `CLIPImageProcessor` uses, with its defaults.
///
/// Reads both the old form (`"size": 224, "crop_size": 224`) and the new one
/// (`"size": {"shortest_edge": 224}`, `"crop_size": {"height": 224, "width": 224}`); it always
/// writes the new one.
///
/// ```swift
/// let config = try ImageProcessorConfig.load(from: folder.appendingPathComponent("preprocessor_config.json"))
/// let processor = ImageProcessor(config: config)      // or ImageProcessor(config: .clipDefaults(imageSize: 224))
/// ```
public struct ImageProcessorConfig: Codable, Sendable, Equatable {
    /// How `size` resizes the image.
    public enum Size: Sendable, Equatable {
        /// Scale so the shorter side is this long, keeping the aspect ratio (longer side truncated).
        case shortestEdge(Int)
        /// Resize to exactly this size, ignoring the aspect ratio.
        case exact(height: Int, width: Int)
    }

    public var doResize: Bool
    public var size: Size
    /// Pillow filter number: 1 LANCZOS, 2 BILINEAR, 3 BICUBIC, 4 BOX, 5 HAMMING.
    public var resample: PILResample.Filter
    public var doCenterCrop: Bool
    public var cropHeight: Int
    public var cropWidth: Int
    public var doRescale: Bool
    public var rescaleFactor: Double
    public var doNormalize: Bool
    /// Per-channel mean and standard deviation (R, G, B), applied after rescaling.
    public var imageMean: [Double]
    public var imageStd: [Double]

    /// OpenAI CLIP's normalisation constants (transformers' `OPENAI_CLIP_MEAN` / `OPENAI_CLIP_STD`).
    public static let openAIMean = [0.48145466, 0.4578275, 0.40821073]
    public static let openAIStd = [0.26862954, 0.26130258, 0.27577711]

    public init(
        doResize: Bool = true, size: Size, resample: PILResample.Filter = .bicubic,
        doCenterCrop: Bool = true, cropHeight: Int, cropWidth: Int,
        doRescale: Bool = true, rescaleFactor: Double = 1.0 / 255.0,
        doNormalize: Bool = true, imageMean: [Double] = openAIMean, imageStd: [Double] = openAIStd
    ) {
        self.doResize = doResize
        self.size = size
        self.resample = resample
        self.doCenterCrop = doCenterCrop
        self.cropHeight = cropHeight
        self.cropWidth = cropWidth
        self.doRescale = doRescale
        self.rescaleFactor = rescaleFactor
        self.doNormalize = doNormalize
        self.imageMean = imageMean
        self.imageStd = imageStd
    }

    /// `CLIPImageProcessor()`'s defaults for a model whose vision tower takes
    /// `imageSize`×`imageSize` pixels: shortest edge and crop `imageSize`, bicubic, OpenAI
    /// mean and std.
    public static func clipDefaults(imageSize: Int) -> ImageProcessorConfig {
        ImageProcessorConfig(size: .shortestEdge(imageSize), cropHeight: imageSize, cropWidth: imageSize)
    }

    /// Reads and validates a `preprocessor_config.json`.
    ///
    /// - Throws: `CLIPError` naming the file when it cannot be read, is not valid JSON for this
    ///   type, or describes a pipeline whose output size would depend on the input image.
    public static func load(from url: URL) throws -> ImageProcessorConfig {
        try JSONConfigFile.load(ImageProcessorConfig.self, from: url,
                                what: "a model folder's image preprocessing settings") { $0.problem.map { [$0] } ?? [] }
    }

    /// Why `ImageProcessor` cannot run this configuration, or nil when it can.
    public var problem: String? {
        if doCenterCrop {
            guard cropHeight > 0, cropWidth > 0 else { return "crop_size must be positive, got \(cropHeight)x\(cropWidth)" }
        } else {
            guard doResize, case .exact = size else {
                return "without do_center_crop, only an exact size {height, width} gives every image the same output size"
            }
        }
        switch size {
        case .shortestEdge(let edge) where edge <= 0: return "size.shortest_edge must be positive, got \(edge)"
        case .exact(let h, let w) where h <= 0 || w <= 0: return "size must be positive, got \(h)x\(w)"
        default: break
        }
        guard imageMean.count == 3, imageStd.count == 3 else {
            return "image_mean and image_std need 3 values (R, G, B), got \(imageMean.count) and \(imageStd.count)"
        }
        guard imageStd.allSatisfy({ $0 != 0 }) else { return "image_std must not contain 0" }
        return nil
    }
}
