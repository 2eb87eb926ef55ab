extension CLIPModel {
    /// One normalised embedding per name: `Similarity.promptEnsemble` over this model's text
    /// encoder (all sentences in one call).
    /// With `cache`, names it holds for this model and templates are not encoded again.
    /// Precondition: every template contains exactly one `{}`.
    public func promptEmbeddings(for names: [String], templates: [String], cache: PromptEmbeddingCache? = nil) throws -> [[Float]] {
        guard let cache else { return try Similarity.promptEnsemble(names, templates: templates, encode: encodeTexts) }
        return try cache.embeddings(for: names, templates: templates, model: "clip:" + name, encode: encodeTexts)
    }
}

extension Similarity {
    /// CLIP's prompt ensembling for any text encoder: each `{}` template filled with each name,
    /// all sentences encoded in one `encode` call, every embedding normalised, averaged per name
    /// and renormalised (with one template: that template's normalised embedding).
    ///
    /// ```swift
    /// let classes = try Similarity.promptEnsemble(["cat", "dog"], templates: ["a photo of a {}."],
    ///                                             encode: model.encodeTexts)
    /// ```
    /// Precondition: `templates` is not empty; `encode` returns one vector per sentence, all of
    /// one length.
    public static func promptEnsemble(_ names: [String], templates: [String],
                                      encode: ([String]) throws -> [[Float]]) rethrows -> [[Float]] {
        precondition(!templates.isEmpty, "prompt ensembling needs at least one template")
        guard !names.isEmpty else { return [] }
        let sentences = names.flatMap { name in templates.map { $0.replacingOccurrences(of: "{}", with: name) } }
        let embeddings = try encode(sentences)
        let dim = embeddings[0].count
        return (0..<names.count).map { c in
            var mean = [Float](repeating: 0, count: dim)
            for t in 0..<templates.count {
                let e = normalized(embeddings[c * templates.count + t])
                for i in 0..<dim { mean[i] += e[i] }
            }
            return normalized(mean)
        }
    }
}
