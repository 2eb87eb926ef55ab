extension CLIPModel {
    /// One normalised embedding per name: each `{}` template filled with the name and encoded,
    /// every template embedding normalised, averaged and renormalised (CLIP's prompt
    /// ensembling; with one template it is just that template's normalised embedding).
    /// All sentences go through the text encoder in one call.
    /// Precondition: every template contains exactly one `{}`.
    public func promptEmbeddings(for names: [String], templates: [String]) throws -> [[Float]] {
        precondition(!templates.isEmpty, "promptEmbeddings needs at least one template")
        let sentences = names.flatMap { name in templates.map { $0.replacingOccurrences(of: "{}", with: name) } }
        let embeddings = try encodeTexts(sentences)
        let dim = embeddingDimension
        return (0..<names.count).map { c in
            var mean = [Float](repeating: 0, count: dim)
            for t in 0..<templates.count {
                let e = Similarity.normalized(embeddings[c * templates.count + t])
                for i in 0..<dim { mean[i] += e[i] }
            }
            return Similarity.normalized(mean)
        }
    }
}
