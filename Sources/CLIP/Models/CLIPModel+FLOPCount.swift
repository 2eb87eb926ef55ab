extension CLIPModel {
    /// Floating-point operations (2 per multiply-add) to encode one image: patch embedding,
    /// every layer's projections, attention and MLP, and the final projection.
    public var imageFLOPs: Double {
        let s = config.visionSpec
        let t = Double(s.tokens), d = Double(s.dim), i = Double(s.intermediate)
        let patch = Double(s.tokens - 1) * Double(s.channels * s.patch * s.patch) * d
        let layer = t * d * 3 * d + t * d * d + 2 * t * d * i + 2 * t * t * d
        return 2 * (patch + Double(s.layers) * layer + d * Double(embeddingDimension))
    }

    /// Floating-point operations to encode one text of `tokens` tokens (causal attention
    /// counted as full, as in most reports).
    public func textFLOPs(tokens: Int) -> Double {
        let s = config.textSpec
        let t = Double(tokens), d = Double(s.dim), i = Double(s.intermediate)
        let layer = t * d * 3 * d + t * d * d + 2 * t * d * i + 2 * t * t * d
        return 2 * (Double(s.layers) * layer + d * Double(embeddingDimension))
    }
}
