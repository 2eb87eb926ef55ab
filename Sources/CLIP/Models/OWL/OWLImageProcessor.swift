import Foundation

/// The image preprocessing of an OWL detector, chosen by family and read from its
/// `preprocessor_config.json`:
///
/// - OWL-ViT: `OwlViTImageProcessor` — resize the whole image to the square input (no
///   aspect-preserving step, no crop), Pillow's filter (`resample`, bicubic on the hub),
///   rescale, normalise: `ImageProcessor` with an exact size. An integer `size` means a
///   square, as `default_to_square=True` reads it.
/// - OWLv2: `Owlv2ImageProcessor` — `OWLv2ImageProcessor` (pad to a square, Gaussian, zoom).
///
/// ```swift
/// let processor = try OWLImageProcessor.load(folder: folder, family: .owlvit, imageSize: 768)
/// let pixels = processor.preprocess(image)          // [3 * 768 * 768]
/// let (w, h) = processor.boxScale(width: 640, height: 480)  // (640, 480); OWLv2: (640, 640)
/// ```
public enum OWLImageProcessor: Sendable {
    case square(ImageProcessor)
    case padded(OWLv2ImageProcessor)

    /// Side of the square the vision tower takes.
    public var outputSize: Int {
        switch self {
        case .square(let p): return p.outputWidth
        case .padded(let p): return p.outputWidth
        }
    }

    /// Writes `[3, S, S]` pixel values of `image` to `out`.
    public func preprocess(_ image: RGBImage, into out: UnsafeMutableBufferPointer<Float>) {
        switch self {
        case .square(let p): p.preprocess(image, into: out)
        case .padded(let p): p.preprocess(image, into: out)
        }
    }

    /// `preprocess` into a new array.
    public func preprocess(_ image: RGBImage) -> [Float] {
        switch self {
        case .square(let p): return p.preprocess(image)
        case .padded(let p): return p.preprocess(image)
        }
    }

    /// The multipliers that turn the model's normalised box coordinates into pixels of a
    /// `width`×`height` image, as `post_process_object_detection` applies them: the image's
    /// own size for OWL-ViT, the padded square's side for both axes for OWLv2.
    public func boxScale(width: Int, height: Int) -> (x: Float, y: Float) {
        switch self {
        case .square: return (Float(width), Float(height))
        case .padded(let p):
            let (h, w) = p.paddedSize(width: width, height: height)
            return (Float(w), Float(h))
        }
    }

    /// The processor for a model folder: `preprocessor_config.json` when present, else
    /// transformers' defaults for the family at `imageSize`.
    /// - Throws: `CLIPError` naming the file when it is unreadable or invalid, or when its
    ///   output size is not `imageSize`×`imageSize`.
    public static func load(folder: URL?, family: OWLFamily, imageSize: Int) throws -> OWLImageProcessor {
        let url = folder?.appendingPathComponent("preprocessor_config.json")
        var raw: [String: Any]?
        if let url, FileManager.default.fileExists(atPath: url.path) {
            do {
                let data = try Data(contentsOf: url)
                raw = try JSONSerialization.jsonObject(with: data) as? [String: Any]
                if raw == nil { throw CLIPError("not a JSON object") }
            } catch {
                throw CLIPError("\(url.path): invalid preprocessor config (\(error))")
            }
        }
        let name = url?.path ?? "preprocessor defaults"
        let processor: OWLImageProcessor
        switch family {
        case .owlvit: processor = .square(try squareProcessor(raw ?? [:], name: name, imageSize: imageSize))
        case .owlv2: processor = .padded(try paddedProcessor(raw ?? [:], name: name, imageSize: imageSize))
        }
        guard processor.outputSize == imageSize else {
            throw CLIPError("\(name): resizes to \(processor.outputSize)x\(processor.outputSize) but vision_config.image_size is \(imageSize)")
        }
        return processor
    }

    /// `OwlViTImageProcessor`: its defaults, then the file's keys.
    private static func squareProcessor(_ raw: [String: Any], name: String, imageSize: Int) throws -> ImageProcessor {
        var json = raw
        // Old hub configs say "rescale" for do_rescale; an integer size is a square.
        if json["do_rescale"] == nil, let legacy = json["rescale"] { json["do_rescale"] = legacy }
        json["do_center_crop"] = json["do_center_crop"] ?? false
        json["resample"] = json["resample"] ?? PILResample.Filter.bicubic.rawValue
        if let side = json["size"] as? Int { json["size"] = ["height": side, "width": side] }
        if json["size"] == nil { json["size"] = ["height": imageSize, "width": imageSize] }
        if json["crop_size"] == nil, let size = json["size"] { json["crop_size"] = size }
        let config: ImageProcessorConfig
        do {
            let data = try JSONSerialization.data(withJSONObject: json)
            config = try JSONDecoder().decode(ImageProcessorConfig.self, from: data)
        } catch {
            throw CLIPError("\(name): invalid preprocessor config (\(error))")
        }
        if let problem = config.problem { throw CLIPError("\(name): \(problem)") }
        let processor = ImageProcessor(config: config)
        guard processor.outputWidth == processor.outputHeight else {
            throw CLIPError("\(name): resizes to \(processor.outputWidth)x\(processor.outputHeight); OWL-ViT takes a square image")
        }
        return processor
    }

    /// `Owlv2ImageProcessor`: its defaults, then the file's keys.
    private static func paddedProcessor(_ raw: [String: Any], name: String, imageSize: Int) throws -> OWLv2ImageProcessor {
        var config = OWLv2ImageProcessor.Config(height: imageSize, width: imageSize)
        func bool(_ key: String) throws -> Bool? {
            guard let v = raw[key], !(v is NSNull) else { return nil }
            guard let b = v as? Bool else { throw CLIPError("\(name): \(key) must be true or false") }
            return b
        }
        func channels(_ key: String) throws -> [Double]? {
            guard let v = raw[key], !(v is NSNull) else { return nil }
            if let one = v as? Double { return [one, one, one] }
            guard let three = v as? [Double], three.count == 3 else { throw CLIPError("\(name): \(key) needs 3 numbers (R, G, B)") }
            return three
        }
        config.doResize = try bool("do_resize") ?? config.doResize
        config.doRescale = try bool("do_rescale") ?? bool("rescale") ?? config.doRescale
        config.doPad = try bool("do_pad") ?? config.doPad
        config.doNormalize = try bool("do_normalize") ?? config.doNormalize
        if let f = raw["rescale_factor"], !(f is NSNull) {
            guard let f = f as? Double else { throw CLIPError("\(name): rescale_factor must be a number") }
            config.rescaleFactor = f
        }
        config.imageMean = try channels("image_mean") ?? config.imageMean
        config.imageStd = try channels("image_std") ?? config.imageStd
        if let size = raw["size"], !(size is NSNull) {
            if let side = size as? Int {
                config.height = side
                config.width = side
            } else if let dict = size as? [String: Any], let h = dict["height"] as? Int, let w = dict["width"] as? Int {
                config.height = h
                config.width = w
            } else {
                throw CLIPError("\(name): size must be an integer or {\"height\", \"width\"}")
            }
        }
        guard config.height > 0, config.width > 0 else { throw CLIPError("\(name): size must be positive") }
        guard config.height == config.width else {
            throw CLIPError("\(name): resizes to \(config.width)x\(config.height); OWLv2 takes a square image")
        }
        guard config.doResize else { throw CLIPError("\(name): do_resize false is not supported (every image must reach the model's input size)") }
        guard config.imageStd.allSatisfy({ $0 != 0 }) else { throw CLIPError("\(name): image_std must not contain 0") }
        return OWLv2ImageProcessor(config: config)
    }
}
