// The checks every config shares, worded as transformers' keys so that messages name the key.

/// A tower's impossible sizes: "x must be positive" for each non-positive size, the
/// layer-norm epsilon, and (when those pass) `hidden_size` divisible by `num_attention_heads`.
func towerProblems(_ sizes: [(String, Int)], epsilon: Double, hiddenSize: Int, heads: Int) -> [String] {
    var found = sizes.filter { $0.1 <= 0 }.map { "\($0.0) must be positive, got \($0.1)" }
    if !(epsilon > 0 && epsilon.isFinite) {
        found.append("layer_norm_eps must be a small positive number, got \(epsilon)")
    }
    if found.isEmpty && hiddenSize % heads != 0 {
        found.append("hidden_size \(hiddenSize) is not divisible by num_attention_heads \(heads)")
    }
    return found
}

/// A two-tower model's problems: each tower's, prefixed with its key, then the shared ones.
func modelProblems(vision: [String], text: [String], projectionDim: Int, logitScaleInitValue: Double) -> [String] {
    var found = vision.map { "vision_config.\($0)" } + text.map { "text_config.\($0)" }
    if projectionDim <= 0 { found.append("projection_dim must be positive, got \(projectionDim)") }
    if !logitScaleInitValue.isFinite { found.append("logit_scale_init_value must be finite") }
    return found
}
