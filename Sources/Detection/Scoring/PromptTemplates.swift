import CLIP

/// Prompt templates: how a class name becomes the sentence the text encoder embeds.
///
/// A template is a string with one `{}` where the class name goes. CLIP was trained on
/// captions, so "a photo of a red backpack." scores better than the bare words; averaging the
/// embeddings of many templates ("prompt ensembling") is better still (Radford et al. 2021, §3.1.4).
public enum PromptTemplates {
    /// The default single template.
    public static let defaultTemplate = "a photo of a {}."

    /// The 80 ImageNet templates of OpenAI's CLIP prompt-engineering notebook (MIT licence),
    /// as distributed by open_clip (`OPENAI_IMAGENET_TEMPLATES`), used by `--ensemble`.
    public static let imagenet: [String] = [
        "a bad photo of a {}.",
        "a photo of many {}.",
        "a sculpture of a {}.",
        "a photo of the hard to see {}.",
        "a low resolution photo of the {}.",
        "a rendering of a {}.",
        "graffiti of a {}.",
        "a bad photo of the {}.",
        "a cropped photo of the {}.",
        "a tattoo of a {}.",
        "the embroidered {}.",
        "a photo of a hard to see {}.",
        "a bright photo of a {}.",
        "a photo of a clean {}.",
        "a photo of a dirty {}.",
        "a dark photo of the {}.",
        "a drawing of a {}.",
        "a photo of my {}.",
        "the plastic {}.",
        "a photo of the cool {}.",
        "a close-up photo of a {}.",
        "a black and white photo of the {}.",
        "a painting of the {}.",
        "a painting of a {}.",
        "a pixelated photo of the {}.",
        "a sculpture of the {}.",
        "a bright photo of the {}.",
        "a cropped photo of a {}.",
        "a plastic {}.",
        "a photo of the dirty {}.",
        "a jpeg corrupted photo of a {}.",
        "a blurry photo of the {}.",
        "a photo of the {}.",
        "a good photo of the {}.",
        "a rendering of the {}.",
        "a {} in a video game.",
        "a photo of one {}.",
        "a doodle of a {}.",
        "a close-up photo of the {}.",
        "a photo of a {}.",
        "the origami {}.",
        "the {} in a video game.",
        "a sketch of a {}.",
        "a doodle of the {}.",
        "a origami {}.",
        "a low resolution photo of a {}.",
        "the toy {}.",
        "a rendition of the {}.",
        "a photo of the clean {}.",
        "a photo of a large {}.",
        "a rendition of a {}.",
        "a photo of a nice {}.",
        "a photo of a weird {}.",
        "a blurry photo of a {}.",
        "a cartoon {}.",
        "art of a {}.",
        "a sketch of the {}.",
        "a embroidered {}.",
        "a pixelated photo of a {}.",
        "itap of the {}.",
        "a jpeg corrupted photo of the {}.",
        "a good photo of a {}.",
        "a plushie {}.",
        "a photo of the nice {}.",
        "a photo of the small {}.",
        "a photo of the weird {}.",
        "the cartoon {}.",
        "art of the {}.",
        "a drawing of the {}.",
        "a photo of the large {}.",
        "a black and white photo of a {}.",
        "the plushie {}.",
        "a dark photo of a {}.",
        "itap of a {}.",
        "graffiti of the {}.",
        "a toy {}.",
        "itap of my {}.",
        "a photo of a cool {}.",
        "a photo of a small {}.",
        "a tattoo of the {}.",
    ]

    /// Fills `template` with `name`. Precondition: `template` contains `{}` (see `validate`).
    public static func apply(_ template: String, to name: String) -> String {
        template.replacingOccurrences(of: "{}", with: name)
    }

    /// Throws unless `template` contains exactly one `{}` placeholder (the rule of
    /// `ZeroShotClassifier.validate`, reported as a `DetectionError`).
    public static func validate(_ template: String) throws {
        do {
            try ZeroShotClassifier.validate(template: template)
        } catch let e as CLIPError {
            throw DetectionError(e.message)
        }
    }
}
