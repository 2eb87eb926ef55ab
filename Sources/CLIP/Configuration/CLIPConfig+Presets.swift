// The released OpenAI architectures, as transformers resolves their config.json files.

extension CLIPConfig {
    /// openai/clip-vit-base-patch32 as transformers resolves its config.json.
    public static func vitB32() -> CLIPConfig {
        var text = CLIPTextConfig()
        text.bosTokenId = 0  // legacy values written in OpenAI's ViT-B configs
        text.eosTokenId = 2
        return CLIPConfig(visionConfig: CLIPVisionConfig(), textConfig: text, projectionDim: 512)
    }

    /// openai/clip-vit-base-patch16: ViT-B/32 with 16-pixel patches.
    public static func vitB16() -> CLIPConfig {
        var config = vitB32()
        config.visionConfig.patchSize = 16
        return config
    }

    /// openai/clip-vit-large-patch14 as transformers resolves its config.json (whose
    /// `*_config_dict` entries reset the token ids to the defaults).
    public static func vitL14() -> CLIPConfig {
        var vision = CLIPVisionConfig()
        vision.hiddenSize = 1024
        vision.intermediateSize = 4096
        vision.numHiddenLayers = 24
        vision.numAttentionHeads = 16
        vision.patchSize = 14
        vision.projectionDim = 768
        var text = CLIPTextConfig()
        text.hiddenSize = 768
        text.intermediateSize = 3072
        text.numAttentionHeads = 12
        text.projectionDim = 768
        return CLIPConfig(visionConfig: vision, textConfig: text, projectionDim: 768)
    }
}
