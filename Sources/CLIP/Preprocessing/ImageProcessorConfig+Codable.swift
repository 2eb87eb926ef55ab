/// JSON (de)coding of `preprocessor_config.json`: keys use transformers' names, missing keys
/// take `CLIPImageProcessor`'s defaults, and sizes may be plain integers (old form) or
/// dictionaries (new form).
extension ImageProcessorConfig {
    enum CodingKeys: String, CodingKey {
        case doResize = "do_resize"
        case size
        case resample
        case doCenterCrop = "do_center_crop"
        case cropSize = "crop_size"
        case doRescale = "do_rescale"
        case rescaleFactor = "rescale_factor"
        case doNormalize = "do_normalize"
        case imageMean = "image_mean"
        case imageStd = "image_std"
    }

    private struct SizeDictionary: Codable {
        var shortestEdge: Int?
        var longestEdge: Int?
        var height: Int?
        var width: Int?

        enum CodingKeys: String, CodingKey {
            case shortestEdge = "shortest_edge"
            case longestEdge = "longest_edge"
            case height, width
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let doResize = try c.decodeIfPresent(Bool.self, forKey: .doResize) ?? true
        let size = try Self.decodeSize(c, key: .size) ?? .shortestEdge(224)
        let filterNumber = try c.decodeIfPresent(Int.self, forKey: .resample) ?? PILResample.Filter.bicubic.rawValue
        guard let resample = PILResample.Filter(rawValue: filterNumber) else {
            throw DecodingError.dataCorruptedError(
                forKey: .resample, in: c,
                debugDescription: "resample \(filterNumber) is not supported (1 LANCZOS, 2 BILINEAR, 3 BICUBIC, 4 BOX, 5 HAMMING)")
        }
        let crop = try Self.decodeCrop(c) ?? (224, 224)
        self.init(
            doResize: doResize, size: size, resample: resample,
            doCenterCrop: try c.decodeIfPresent(Bool.self, forKey: .doCenterCrop) ?? true,
            cropHeight: crop.height, cropWidth: crop.width,
            doRescale: try c.decodeIfPresent(Bool.self, forKey: .doRescale) ?? true,
            rescaleFactor: try c.decodeIfPresent(Double.self, forKey: .rescaleFactor) ?? 1.0 / 255.0,
            doNormalize: try c.decodeIfPresent(Bool.self, forKey: .doNormalize) ?? true,
            imageMean: try Self.decodeChannels(c, key: .imageMean) ?? Self.openAIMean,
            imageStd: try Self.decodeChannels(c, key: .imageStd) ?? Self.openAIStd)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(doResize, forKey: .doResize)
        switch size {
        case .shortestEdge(let edge): try c.encode(SizeDictionary(shortestEdge: edge), forKey: .size)
        case .exact(let h, let w): try c.encode(SizeDictionary(height: h, width: w), forKey: .size)
        }
        try c.encode(resample.rawValue, forKey: .resample)
        try c.encode(doCenterCrop, forKey: .doCenterCrop)
        try c.encode(SizeDictionary(height: cropHeight, width: cropWidth), forKey: .cropSize)
        try c.encode(doRescale, forKey: .doRescale)
        try c.encode(rescaleFactor, forKey: .rescaleFactor)
        try c.encode(doNormalize, forKey: .doNormalize)
        try c.encode(imageMean, forKey: .imageMean)
        try c.encode(imageStd, forKey: .imageStd)
    }

    /// `size`: an integer means shortest edge (CLIP's `default_to_square=False`).
    private static func decodeSize(_ c: KeyedDecodingContainer<CodingKeys>, key: CodingKeys) throws -> Size? {
        guard c.contains(key), try !c.decodeNil(forKey: key) else { return nil }
        if let edge = try? c.decode(Int.self, forKey: key) { return .shortestEdge(edge) }
        let dict = try c.decode(SizeDictionary.self, forKey: key)
        if let h = dict.height, let w = dict.width { return .exact(height: h, width: w) }
        if dict.longestEdge != nil {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: c, debugDescription: "longest_edge resizing is not used by CLIP and not supported")
        }
        if let edge = dict.shortestEdge { return .shortestEdge(edge) }
        throw DecodingError.dataCorruptedError(
            forKey: key, in: c, debugDescription: "expected shortest_edge or height and width")
    }

    /// `crop_size`: an integer means a square.
    private static func decodeCrop(_ c: KeyedDecodingContainer<CodingKeys>) throws -> (height: Int, width: Int)? {
        guard c.contains(.cropSize), try !c.decodeNil(forKey: .cropSize) else { return nil }
        if let side = try? c.decode(Int.self, forKey: .cropSize) { return (side, side) }
        let dict = try c.decode(SizeDictionary.self, forKey: .cropSize)
        guard let h = dict.height, let w = dict.width else {
            throw DecodingError.dataCorruptedError(
                forKey: .cropSize, in: c, debugDescription: "expected height and width")
        }
        return (h, w)
    }

    /// Mean / std: three numbers, or one shared by every channel.
    private static func decodeChannels(_ c: KeyedDecodingContainer<CodingKeys>, key: CodingKeys) throws -> [Double]? {
        guard c.contains(key), try !c.decodeNil(forKey: key) else { return nil }
        if let single = try? c.decode(Double.self, forKey: key) { return [single, single, single] }
        return try c.decode([Double].self, forKey: key)
    }
}
