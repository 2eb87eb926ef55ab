// The released Chinese-CLIP architecture, as transformers resolves its config.json.

extension ChineseCLIPConfig {
    /// OFA-Sys/chinese-clip-vit-base-patch16 as transformers resolves its config.json:
    /// ViT-B/16 image tower, RoBERTa-wwm-ext-base text tower, 512-wide embeddings.
    public static func vitB16() -> ChineseCLIPConfig {
        var vision = CLIPVisionConfig()
        vision.patchSize = 16
        var text = ChineseCLIPTextConfig()
        text.vocabSize = 21128
        return ChineseCLIPConfig(visionConfig: vision, textConfig: text, projectionDim: 512)
    }
}
