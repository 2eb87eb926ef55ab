// The sizes the Chinese-CLIP towers are built from, and the CLIP-shaped summary `CLIPModel`
// exposes as its `config`.

extension ChineseCLIPConfig {
    /// The BERT text tower's sizes (`ChineseCLIPTextTransformer`).
    var textSpec: BertTextSpec {
        let t = textConfig
        return BertTextSpec(dim: t.hiddenSize, layers: t.numHiddenLayers, heads: t.numAttentionHeads,
                            intermediate: t.intermediateSize, vocabSize: t.vocabSize,
                            maxPositions: t.maxPositionEmbeddings, typeVocabSize: t.typeVocabSize,
                            eps: Float(t.layerNormEps), activation: t.hiddenAct)
    }

    /// The same model described as a `CLIPConfig`, so that code written against
    /// `CLIPModel.config` (sizes, FLOP counts, id checks) works for both families: the vision
    /// tower, projection and logit scale exactly; the text tower's widths, depth, vocabulary
    /// and positions from the BERT. Its token-id fields (`bos`/`eos`/`pad`) do not apply:
    /// Chinese-CLIP pools at the first token ([CLS]) whatever the ids.
    var clipSummary: CLIPConfig {
        var text = CLIPTextConfig()
        text.vocabSize = textConfig.vocabSize
        text.hiddenSize = textConfig.hiddenSize
        text.intermediateSize = textConfig.intermediateSize
        text.numHiddenLayers = textConfig.numHiddenLayers
        text.numAttentionHeads = textConfig.numAttentionHeads
        text.maxPositionEmbeddings = textConfig.maxPositionEmbeddings
        text.hiddenAct = textConfig.hiddenAct
        text.layerNormEps = textConfig.layerNormEps
        text.padTokenId = textConfig.padTokenId
        text.bosTokenId = nil
        text.eosTokenId = 0
        text.projectionDim = projectionDim
        return CLIPConfig(visionConfig: visionConfig, textConfig: text, projectionDim: projectionDim,
                          logitScaleInitValue: logitScaleInitValue, modelType: Self.modelType)
    }
}
