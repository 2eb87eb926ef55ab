import Foundation

/// config.json texts as published on the Hugging Face hub (noise keys trimmed), for
/// CLIPConfigTests. Expected values were checked against transformers 5.23
/// `CLIPConfig.from_dict` on these exact strings.
enum CLIPConfigSamples {
    /// openai/clip-vit-base-patch32: full sub-configs, legacy token ids, null `*_config_dict`.
    static let openAIBasePatch32 = """
    {
      "_name_or_path": "openai/clip-vit-base-patch32",
      "architectures": ["CLIPModel"],
      "initializer_factor": 1.0,
      "logit_scale_init_value": 2.6592,
      "model_type": "clip",
      "projection_dim": 512,
      "text_config": {
        "_name_or_path": "",
        "attention_dropout": 0.0,
        "bos_token_id": 0,
        "dropout": 0.0,
        "eos_token_id": 2,
        "hidden_act": "quick_gelu",
        "hidden_size": 512,
        "id2label": {"0": "LABEL_0", "1": "LABEL_1"},
        "initializer_factor": 1.0,
        "initializer_range": 0.02,
        "intermediate_size": 2048,
        "layer_norm_eps": 1e-05,
        "max_length": 20,
        "max_position_embeddings": 77,
        "model_type": "clip_text_model",
        "num_attention_heads": 8,
        "num_hidden_layers": 12,
        "pad_token_id": 1,
        "projection_dim": 512,
        "torch_dtype": null,
        "transformers_version": "4.16.0.dev0",
        "vocab_size": 49408
      },
      "text_config_dict": null,
      "transformers_version": null,
      "vision_config": {
        "_name_or_path": "",
        "attention_dropout": 0.0,
        "bos_token_id": null,
        "dropout": 0.0,
        "eos_token_id": null,
        "hidden_act": "quick_gelu",
        "hidden_size": 768,
        "image_size": 224,
        "initializer_factor": 1.0,
        "initializer_range": 0.02,
        "intermediate_size": 3072,
        "layer_norm_eps": 1e-05,
        "model_type": "clip_vision_model",
        "num_attention_heads": 12,
        "num_hidden_layers": 12,
        "pad_token_id": null,
        "patch_size": 32,
        "projection_dim" : 512,
        "transformers_version": "4.16.0.dev0"
      },
      "vision_config_dict": null
    }
    """

    /// openai/clip-vit-large-patch14-336: `*_config_dict` entries override the sub-configs.
    static let openAILargePatch14At336 = """
    {
      "_name_or_path": "openai/clip-vit-large-patch14-336",
      "architectures": ["CLIPModel"],
      "initializer_factor": 1.0,
      "logit_scale_init_value": 2.6592,
      "model_type": "clip",
      "projection_dim": 768,
      "text_config": {
        "bos_token_id": 0,
        "dropout": 0.0,
        "eos_token_id": 2,
        "hidden_act": "quick_gelu",
        "hidden_size": 768,
        "intermediate_size": 3072,
        "layer_norm_eps": 1e-05,
        "max_position_embeddings": 77,
        "model_type": "clip_text_model",
        "num_attention_heads": 12,
        "num_hidden_layers": 12,
        "pad_token_id": 1,
        "projection_dim": 768,
        "vocab_size": 49408
      },
      "text_config_dict": {
        "hidden_size": 768,
        "intermediate_size": 3072,
        "num_attention_heads": 12,
        "num_hidden_layers": 12,
        "projection_dim": 768
      },
      "torch_dtype": "float32",
      "transformers_version": null,
      "vision_config": {
        "dropout": 0.0,
        "hidden_act": "quick_gelu",
        "hidden_size": 1024,
        "image_size": 336,
        "intermediate_size": 4096,
        "layer_norm_eps": 1e-05,
        "model_type": "clip_vision_model",
        "num_attention_heads": 16,
        "num_hidden_layers": 24,
        "patch_size": 14,
        "projection_dim": 768
      },
      "vision_config_dict": {
        "hidden_size": 1024,
        "image_size": 336,
        "intermediate_size": 4096,
        "num_attention_heads": 16,
        "num_hidden_layers": 24,
        "patch_size": 14,
        "projection_dim": 768
      }
    }
    """

    /// A LAION ViT-H/14 style config: GELU activations, sparse sub-configs relying on defaults.
    static let laionHugePatch14Style = """
    {
      "architectures": ["CLIPModel"],
      "initializer_factor": 1.0,
      "logit_scale_init_value": 2.6592,
      "model_type": "clip",
      "projection_dim": 1024,
      "text_config": {
        "hidden_act": "gelu",
        "hidden_size": 1024,
        "intermediate_size": 4096,
        "num_attention_heads": 16,
        "num_hidden_layers": 24,
        "projection_dim": 1024,
        "layer_norm_eps": 1e-05
      },
      "torch_dtype": "float32",
      "transformers_version": "4.24.0",
      "vision_config": {
        "hidden_act": "gelu",
        "hidden_size": 1280,
        "intermediate_size": 5120,
        "num_attention_heads": 16,
        "num_hidden_layers": 32,
        "patch_size": 14,
        "projection_dim": 1024,
        "layer_norm_eps": 1e-05
      }
    }
    """
}
