import Foundation

/// Zero-shot image classification: class names become sentences through prompt templates, and
/// each image gets a probability per class, `softmax(exp(logit_scale) · cos(image, class))`
/// over the classes — CLIP's `logits_per_image.softmax(dim=-1)`.
///
/// ```swift
/// let model = try CLIPModel(folder: URL(fileURLWithPath: "models/shapes-tiny"))
/// let classifier = try ZeroShotClassifier(model: model, classes: ["cat", "dog", "car"])
/// let result = classifier.classify([photo])[0]
/// for (name, p) in result.top(2) { print(name, p) }     // "cat 0.91", "dog 0.07"
/// ```
///
/// With several templates (prompt ensembling) a class embedding is the mean of the normalised
/// embeddings of every filled template, normalised again (Radford et al. 2021, §3.1.4); with one
/// template it is just that sentence's normalised embedding. Class embeddings are computed once,
/// in `init`.
public final class ZeroShotClassifier: @unchecked Sendable {
    /// The single template used when none is given.
    public static let defaultTemplate = "a photo of a {}."

    /// Class names, in the order probabilities are reported.
    public let classes: [String]
    /// Templates with one `{}` each, where the class name goes.
    public let templates: [String]
    /// Unit-length class embeddings, one per class.
    public let classEmbeddings: [[Float]]
    /// The model the classifier encodes images with.
    public let model: CLIPModel

    /// One image's result.
    public struct Classification: Sendable, Equatable {
        /// The class names, in the classifier's order.
        public let classes: [String]
        /// One probability per class (they sum to 1).
        public let probabilities: [Float]

        /// The `k` most probable classes, best first (ties keep class order).
        public func top(_ k: Int) -> [(name: String, probability: Float)] {
            let order = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] || (probabilities[$0] == probabilities[$1] && $0 < $1) }
            return order.prefix(max(0, k)).map { (classes[$0], probabilities[$0]) }
        }
    }

    /// Encodes every `template` filled with every class name (names `cache` holds are reused).
    ///
    /// - Throws: `CLIPError` when `classes` is empty, a name is blank or repeated, `templates`
    ///   is empty, or a template lacks exactly one `{}`.
    public init(model: CLIPModel, classes: [String], templates: [String] = [ZeroShotClassifier.defaultTemplate],
                cache: PromptEmbeddingCache? = nil) throws {
        let names = classes.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard !names.isEmpty else { throw CLIPError("no classes given: name at least one class, e.g. \"cat,dog\"") }
        if names.contains(where: \.isEmpty) { throw CLIPError("a class name is empty: check for stray commas") }
        var seen = Set<String>()
        for n in names where !seen.insert(n).inserted { throw CLIPError("class \"\(n)\" is given twice") }
        guard !templates.isEmpty else { throw CLIPError("no prompt templates given") }
        for t in templates { try Self.validate(template: t) }
        self.model = model
        self.classes = names
        self.templates = templates
        classEmbeddings = try model.promptEmbeddings(for: names, templates: templates, cache: cache)
    }

    /// Throws unless `template` contains exactly one `{}` placeholder.
    public static func validate(template: String) throws {
        let n = template.components(separatedBy: "{}").count - 1
        guard n == 1 else {
            throw CLIPError("template \"\(template)\" must contain exactly one {} where the class name goes (found \(n))")
        }
    }

    /// Class probabilities for already computed image embeddings (`get_image_features`,
    /// normalised or not), one `Classification` per embedding.
    public func classify(imageEmbeddings: [[Float]]) -> [Classification] {
        model.logits(images: imageEmbeddings, texts: classEmbeddings).map {
            Classification(classes: classes, probabilities: Similarity.softmax($0))
        }
    }

    /// Preprocesses, encodes and classifies images, one `Classification` per image.
    public func classify(_ images: [RGBImage], batchSize: Int = 32) -> [Classification] {
        classify(imageEmbeddings: model.encodeImages(images, batchSize: batchSize))
    }
}
