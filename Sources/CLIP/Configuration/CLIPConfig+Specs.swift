// The sizes the transformer code builds from, resolved from the decoded config.

extension CLIPConfig {
    /// The vision tower's sizes (`VisionTransformer`).
    var visionSpec: VisionSpec { visionConfig.spec }

    /// The text tower's sizes (`TextTransformer`).
    var textSpec: TextSpec { textConfig.spec }

    /// The shared embedding width (top-level `projection_dim`, resolved when decoding).
    var resolvedProjectionDim: Int { projectionDim }

    /// `logit_scale_init_value`, the log of the initial similarity scale.
    var logitScaleInit: Double { logitScaleInitValue }
}

extension CLIPVisionConfig {
    /// The tower's sizes (`VisionTransformer`, OWL's vision tower).
    var spec: VisionSpec {
        VisionSpec(dim: hiddenSize, layers: numHiddenLayers, heads: numAttentionHeads,
                   intermediate: intermediateSize, patch: patchSize, imageSize: imageSize,
                   channels: numChannels, eps: Float(layerNormEps), activation: hiddenAct)
    }
}

extension CLIPTextConfig {
    /// The tower's sizes (`TextTransformer`).
    var spec: TextSpec {
        TextSpec(dim: hiddenSize, layers: numHiddenLayers, heads: numAttentionHeads,
                 intermediate: intermediateSize, vocabSize: vocabSize,
                 maxPositions: maxPositionEmbeddings, eosTokenId: eosTokenId,
                 eps: Float(layerNormEps), activation: hiddenAct)
    }
}
