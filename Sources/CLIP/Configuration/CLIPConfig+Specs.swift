// The sizes the transformer code builds from, resolved from the decoded config.

extension CLIPConfig {
    /// The vision tower's sizes (`VisionTransformer`).
    var visionSpec: VisionSpec {
        let v = visionConfig
        return VisionSpec(dim: v.hiddenSize, layers: v.numHiddenLayers, heads: v.numAttentionHeads,
                          intermediate: v.intermediateSize, patch: v.patchSize, imageSize: v.imageSize,
                          channels: v.numChannels, eps: Float(v.layerNormEps), activation: v.hiddenAct)
    }

    /// The text tower's sizes (`TextTransformer`).
    var textSpec: TextSpec {
        let t = textConfig
        return TextSpec(dim: t.hiddenSize, layers: t.numHiddenLayers, heads: t.numAttentionHeads,
                        intermediate: t.intermediateSize, vocabSize: t.vocabSize,
                        maxPositions: t.maxPositionEmbeddings, eosTokenId: t.eosTokenId,
                        eps: Float(t.layerNormEps), activation: t.hiddenAct)
    }

    /// The shared embedding width (top-level `projection_dim`, resolved when decoding).
    var resolvedProjectionDim: Int { projectionDim }

    /// `logit_scale_init_value`, the log of the initial similarity scale.
    var logitScaleInit: Double { logitScaleInitValue }
}
