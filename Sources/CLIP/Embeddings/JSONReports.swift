import Foundation

/// The object `clipdetect embed --json` prints and `POST /v1/embed` answers:
/// `{"logit_scale", "images": [{"path", "embedding"}], "texts": [{"text", "ids", "embedding"}]}`
/// with exactly `get_image_features` / `get_text_features` (not normalised).
///
/// ```swift
/// let report = try EmbeddingReport(model: model, images: [("cat.jpg", cat)], texts: ["a cat"])
/// print(report.texts[0].embedding.count)   // model.embeddingDimension
/// ```
public struct EmbeddingReport: Codable, Sendable, Equatable {
    public struct Image: Codable, Sendable, Equatable { public var path: String; public var embedding: [Float] }
    public struct Text: Codable, Sendable, Equatable { public var text: String; public var ids: [Int32]; public var embedding: [Float] }
    public var logit_scale: Float
    public var images: [Image]
    public var texts: [Text]

    /// Encodes `images` (named as given) and `texts`; a text longer than the context is
    /// truncated with a warning through `model.onWarning`.
    public init(model: CLIPModel, images: [(String, RGBImage)], texts: [String]) throws {
        let imageEmb = model.encodeImages(images.map(\.1))
        let ids = texts.map { model.tokenize($0) }
        for (t, tok) in zip(texts, ids) where tok.truncated {
            model.onWarning("text truncated to \(model.contextLength) tokens: \"\(t.prefix(60))\"")
        }
        let textEmb = try model.textFeatures(ids: ids.map(\.ids))
        logit_scale = model.logitScaleParameter
        self.images = zip(images, imageEmb).map { Image(path: $0.0, embedding: $1) }
        self.texts = (0..<texts.count).map { Text(text: texts[$0], ids: ids[$0].ids, embedding: textEmb[$0]) }
    }
}

/// One element of `clipdetect classify --json` and the answer of `POST /v1/classify`:
/// `{"image": PATH, "probabilities": {CLASS: P, …}}` (the `top` classes, or all).
///
/// ```swift
/// let c = classifier.classify([photo])[0]
/// let report = ClassificationReport(image: "cat.jpg", c, top: nil)
/// ```
public struct ClassificationReport: Codable, Sendable, Equatable {
    public var image: String
    public var probabilities: [String: Float]

    /// The `top` most probable classes of `classification` (nil: every class).
    public init(image: String, _ classification: ZeroShotClassifier.Classification, top: Int?) {
        self.image = image
        let shown = classification.top(top ?? classification.classes.count)
        probabilities = Dictionary(uniqueKeysWithValues: shown.map { ($0.name, $0.probability) })
    }
}
