"""What the CLIP and Chinese-CLIP fixture scripts share: seeded weight spreading, building a
small random model, saving its checkpoint, and running transformers for the reference
embeddings. Imported by models/make_model_fixtures.py and
chinese_clip/make_chinese_clip_fixtures.py (both add this folder to sys.path)."""
import math, pathlib

import torch
from safetensors.torch import save_file

FIXTURES = pathlib.Path(__file__).resolve().parent
ROOT = FIXTURES.parents[2]


def randomise(model, seed):
    """Spread weights wider than transformers' init so every op (LN affine, biases, GELU tails,
    attention softmax, BERT's token-type row) matters numerically."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            low = name.lower()
            if name == "logit_scale":
                p.fill_(math.log(1 / 0.07))
            elif "layer_norm" in low or "layrnorm" in low or "layernorm" in low:
                if name.endswith("weight"):
                    p.copy_(1 + 0.2 * torch.randn(p.shape, generator=g))
                else:
                    p.copy_(0.1 * torch.randn(p.shape, generator=g))
            elif name.endswith("bias"):
                p.copy_(0.1 * torch.randn(p.shape, generator=g))
            elif p.dim() >= 2 and "embedding" not in low:
                fan_in = p[0].numel()
                p.copy_(torch.randn(p.shape, generator=g) / math.sqrt(fan_in))
            else:
                p.copy_(0.5 * torch.randn(p.shape, generator=g))


def build(config_class, model_class, spec, seed):
    """A randomised model of `spec` (text/vision sub-configs, projection_dim, storage dtype),
    rounded through its storage dtype so the reference sees exactly the stored weights."""
    cfg = config_class(text_config=spec["text"], vision_config=spec["vision"], projection_dim=spec["projection_dim"])
    torch.manual_seed(seed)
    model = model_class(cfg).eval()
    randomise(model, seed)
    dtype = getattr(torch, spec["dtype"])
    model = model.to(dtype).to(torch.float32)
    return model, dtype


def stored_state(model, dtype):
    """The state dict as the checkpoint stores it."""
    return {k: v.detach().to(dtype).contiguous() for k, v in model.state_dict().items()}


def save_checkpoint(model, state, out):
    """config.json and model.safetensors of an unchanged Hugging Face folder."""
    out.mkdir(parents=True, exist_ok=True)
    model.config.to_json_file(out / "config.json")
    save_file(state, str(out / "model.safetensors"), metadata={"format": "pt"})


def features(model, pixels, enc, texts, **text_inputs):
    """transformers' `get_image_features` / `get_text_features` on `pixels` and the padded
    batch `enc`, as the reference.json entries every fixture has."""
    with torch.no_grad():
        img = model.get_image_features(pixel_values=pixels)
        img = getattr(img, "pooler_output", img)
        txt = model.get_text_features(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"], **text_inputs)
        txt = getattr(txt, "pooler_output", txt)
    ids = [[int(t) for t, m in zip(row, mask) if m] for row, mask in zip(enc["input_ids"], enc["attention_mask"])]
    return {
        "logit_scale": float(model.logit_scale.item()),
        "image_embeds": img.tolist(),
        "texts": [{"text": t, "ids": i, "embedding": e} for t, i, e in zip(texts, ids, txt.tolist())],
    }


def random_pixels(count, size, seed):
    g = torch.Generator().manual_seed(seed + 1)
    return torch.randn((count, 3, size, size), generator=g) * 1.2
