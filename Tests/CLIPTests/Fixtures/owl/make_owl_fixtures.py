#!/usr/bin/env python3
"""Reference fixtures for the Swift OWL-ViT / OWLv2 detectors' parity tests.

Builds small random-initialised transformers `OwlViTForObjectDetection` and
`Owlv2ForObjectDetection` models (fp32 and fp16 storage, odd widths and head counts, every
activation the hub uses and others, int-form and dict-form preprocessor configs), saves each as
an unchanged Hugging Face folder, and records on seeded non-square images:

- `pixel_values` of the processor (PIL/numpy backends: `OwlViTImageProcessorPil`,
  `Owlv2ImageProcessorPil`; stored as float16 in pixel_values.safetensors),
- per-patch logits, sigmoid scores, labels and `post_process_object_detection` boxes in pixels
  of the original image (OWLv2: of the padded square), with `target_sizes` = (height, width),
- `image_guided_detection` target logits and boxes for one query image,
- the normalised text query embeddings and OWLv2 objectness logits (for debugging).

    python3 Tests/CLIPTests/Fixtures/owl/make_owl_fixtures.py

Only the token-embedding rows of tokens the fixture queries use are non-zero, so the
49408-row tables compress to almost nothing in git. Needs torch, transformers 5.x, scipy,
safetensors, numpy (PyPI). Tests never run this script.
"""
import json, math, os, pathlib, shutil

import numpy as np
import torch
import transformers
from safetensors.torch import save_file
from transformers import (CLIPTokenizerFast, Owlv2Config, Owlv2ForObjectDetection, OwlViTConfig,
                          OwlViTForObjectDetection)
from transformers.models.owlv2.image_processing_pil_owlv2 import Owlv2ImageProcessorPil
from transformers.models.owlvit.image_processing_pil_owlvit import OwlViTImageProcessorPil

torch.set_num_threads(1)
HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[3]
VOCAB = ROOT / "models" / "clip-vocab"

QUERIES = ["a photo of a cat", "red backpack", "Person wearing a HAT!",
           "a very long description of an object that goes on and on past sixteen tokens"]

CONFIGS = {
    # hub-like: quick_gelu, bicubic, int-form preprocessor config (size 64 means 64x64)
    "owlvit-p16-f32": dict(
        family="owlvit", dtype="float32", seed=11,
        text=dict(hidden_size=16, intermediate_size=40, num_hidden_layers=2, num_attention_heads=2),
        vision=dict(hidden_size=30, intermediate_size=64, num_hidden_layers=2, num_attention_heads=3,
                    image_size=64, patch_size=16),
        projection_dim=16,
        preprocessor={"crop_size": 64, "do_center_crop": False, "do_normalize": True, "do_resize": True,
                      "feature_extractor_type": "OwlViTFeatureExtractor",
                      "image_mean": [0.48145466, 0.4578275, 0.40821073],
                      "image_std": [0.26862954, 0.26130258, 0.27577711], "resample": 3, "size": 64}),
    # odd width and head count (45 = 5 x 9), exact gelu, eps 1e-6, bilinear resize, fp16 storage
    "owlvit-p8-f16": dict(
        family="owlvit", dtype="float16", seed=12,
        text=dict(hidden_size=12, intermediate_size=30, num_hidden_layers=1, num_attention_heads=3,
                  hidden_act="gelu"),
        vision=dict(hidden_size=45, intermediate_size=70, num_hidden_layers=2, num_attention_heads=5,
                    image_size=72, patch_size=8, hidden_act="gelu", layer_norm_eps=1e-6),
        projection_dim=12,
        preprocessor={"do_normalize": True, "do_resize": True, "do_center_crop": False,
                      "image_processor_type": "OwlViTImageProcessor", "resample": 2,
                      "image_mean": [0.5, 0.4, 0.3], "image_std": [0.25, 0.3, 0.2],
                      "size": {"height": 72, "width": 72}}),
    # hub-like OWLv2 preprocessor (dict size, rescale_factor), quick_gelu
    "owlv2-p10-f32": dict(
        family="owlv2", dtype="float32", seed=13,
        text=dict(hidden_size=16, intermediate_size=32, num_hidden_layers=2, num_attention_heads=4),
        vision=dict(hidden_size=40, intermediate_size=64, num_hidden_layers=2, num_attention_heads=5,
                    image_size=80, patch_size=10),
        projection_dim=16,
        preprocessor={"do_normalize": True, "do_pad": True, "do_rescale": True, "do_resize": True,
                      "image_mean": [0.48145466, 0.4578275, 0.40821073],
                      "image_processor_type": "Owlv2ImageProcessor",
                      "image_std": [0.26862954, 0.26130258, 0.27577711], "resample": 2,
                      "rescale_factor": 0.00392156862745098, "size": {"height": 80, "width": 80}}),
    # odd width (33 = 3 x 11), gelu_pytorch_tanh, patch 12 (7x7 grid), fp16 storage
    "owlv2-p12-f16": dict(
        family="owlv2", dtype="float16", seed=14,
        text=dict(hidden_size=12, intermediate_size=24, num_hidden_layers=2, num_attention_heads=2,
                  hidden_act="gelu_pytorch_tanh"),
        vision=dict(hidden_size=33, intermediate_size=50, num_hidden_layers=3, num_attention_heads=3,
                    image_size=84, patch_size=12, hidden_act="gelu_pytorch_tanh"),
        projection_dim=12,
        preprocessor={"do_normalize": True, "do_pad": True, "do_rescale": True, "do_resize": True,
                      "image_processor_type": "Owlv2ImageProcessor",
                      "size": {"height": 84, "width": 84}}),
}

# name: (width, height, seed). "wide" is downscaled by every config (OWLv2: Gaussian
# anti-aliasing with a radius of 1-2 px), "tall" is upscaled by the OWLv2 configs.
IMAGES = {"wide": (150, 110, 1), "tall": (45, 70, 2), "query": (50, 44, 3)}


def make_image(width, height, seed):
    """Smooth gradients, a few solid shapes and mild noise: every resampling detail shows."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    img = np.stack([255 * x / width, 255 * y / height, 127 + 100 * np.sin((x + y) / 7.0)], axis=-1)
    for _ in range(4):
        cx, cy, r = rng.uniform(0, width), rng.uniform(0, height), rng.uniform(5, 20)
        color = rng.uniform(0, 255, 3)
        mask = (x - cx) ** 2 + (y - cy) ** 2 < r * r
        img[mask] = color
        x0, y0 = int(rng.uniform(0, width - 10)), int(rng.uniform(0, height - 10))
        img[y0:y0 + 8, x0:x0 + 12] = rng.uniform(0, 255, 3)
    img += rng.normal(0, 12, img.shape)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def randomise(model, seed, used_tokens):
    """Spread weights wider than transformers' init so every op matters numerically, but keep
    the class logits and box logits in the range where sigmoid is not saturated."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("logit_scale") and p.dim() == 0:
                p.fill_(math.log(1 / 0.07))
            elif "token_embedding" in name:
                p.zero_()
                idx = torch.tensor(sorted(used_tokens))
                p[idx] = 0.5 * torch.randn((len(idx), p.shape[1]), generator=g)
            elif "layer_norm" in name or "layernorm" in name:
                if name.endswith("weight"):
                    p.copy_(1 + 0.2 * torch.randn(p.shape, generator=g))
                else:
                    p.copy_(0.1 * torch.randn(p.shape, generator=g))
            elif name.startswith(("class_head.logit_shift", "class_head.logit_scale")):
                p.copy_(0.3 * torch.randn(p.shape, generator=g) / math.sqrt(p.shape[-1] if p.dim() > 1 else 1))
            elif name.startswith(("box_head.dense2", "objectness_head.dense2")):
                p.copy_(0.5 * torch.randn(p.shape, generator=g) / math.sqrt(p.shape[-1] if p.dim() > 1 else 1))
            elif name.endswith("bias"):
                p.copy_(0.1 * torch.randn(p.shape, generator=g))
            elif p.dim() >= 2 and "embedding" not in name:
                fan_in = p[0].numel()
                p.copy_(torch.randn(p.shape, generator=g) / math.sqrt(fan_in))
            else:
                p.copy_(0.5 * torch.randn(p.shape, generator=g))


def build(spec, used_tokens):
    text = dict(max_position_embeddings=16, **spec["text"])
    if spec["family"] == "owlvit":
        cfg = OwlViTConfig(text_config=text, vision_config=spec["vision"], projection_dim=spec["projection_dim"])
        cls = OwlViTForObjectDetection
    else:
        cfg = Owlv2Config(text_config=text, vision_config=spec["vision"], projection_dim=spec["projection_dim"])
        cls = Owlv2ForObjectDetection
    torch.manual_seed(spec["seed"])
    model = cls(cfg).eval()
    randomise(model, spec["seed"], used_tokens)
    dtype = getattr(torch, spec["dtype"])
    # Round through the storage dtype so the reference sees exactly the stored weights.
    model = model.to(dtype).to(torch.float32)
    return model, dtype


def processor_for(spec, folder):
    cls = OwlViTImageProcessorPil if spec["family"] == "owlvit" else Owlv2ImageProcessorPil
    return cls.from_pretrained(str(folder))


def post_boxes(processor, logits, pred_boxes, height, width):
    class Out:
        pass
    out = Out()
    out.logits, out.pred_boxes = logits, pred_boxes
    r = processor.post_process_object_detection(out, threshold=-1.0, target_sizes=[(height, width)])[0]
    return r


def main():
    versions = {"torch": torch.__version__, "transformers": transformers.__version__,
                "scipy": __import__("scipy").__version__, "numpy": np.__version__}
    # The OWL repos' tokenizer_config.json pads with "!" (id 0).
    tokenizer = CLIPTokenizerFast.from_pretrained(str(VOCAB), pad_token="!")
    # The processor's padding ("max_length", pad token "!" = id 0) and the 16-token context;
    # the long query is cut with its end token kept.
    enc = tokenizer(QUERIES, padding="max_length", truncation=True, max_length=16, return_tensors="pt")
    assert enc["input_ids"].shape == (len(QUERIES), 16) and tokenizer.pad_token_id == 0
    used = set(int(t) for t in enc["input_ids"].flatten())

    images_dir = HERE / "images"
    images_dir.mkdir(exist_ok=True)
    images = {}
    for name, (w, h, seed) in IMAGES.items():
        arr = make_image(w, h, seed)
        images[name] = arr
        (images_dir / f"{name}-{w}x{h}.rgb").write_bytes(arr.tobytes())

    for name, spec in CONFIGS.items():
        out = HERE / name
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        model, dtype = build(spec, used)
        model.config.to_json_file(out / "config.json")
        state = {k: v.detach().to(dtype).contiguous() for k, v in model.state_dict().items()}
        save_file(state, str(out / "model.safetensors"), metadata={"format": "pt"})
        (out / "preprocessor_config.json").write_text(json.dumps(spec["preprocessor"], indent=2) + "\n")
        for f in ("vocab.json", "merges.txt"):
            (out / f).symlink_to(os.path.relpath(VOCAB / f, out))
        processor = processor_for(spec, out)
        size = spec["vision"]["image_size"]

        pixel_tensors = {}
        cases = []
        with torch.no_grad():
            for image_name in ("wide", "tall"):
                arr = images[image_name]
                h, w = arr.shape[:2]
                pv = processor(images=arr, return_tensors="pt")["pixel_values"]
                assert pv.shape == (1, 3, size, size), pv.shape
                pixel_tensors[image_name] = pv[0].to(torch.float16).contiguous()
                o = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"], pixel_values=pv)
                r = post_boxes(processor, o.logits, o.pred_boxes, h, w)
                assert len(r["scores"]) == o.logits.shape[1]
                case = {"image": image_name, "width": w, "height": h,
                        "logits": o.logits[0].tolist(), "pred_boxes": o.pred_boxes[0].tolist(),
                        "scores": r["scores"].tolist(), "labels": r["labels"].tolist(),
                        "boxes": r["boxes"].tolist()}
                if spec["family"] == "owlv2":
                    case["objectness_logits"] = o.objectness_logits[0].tolist()
                cases.append(case)
            text_embeds = o.text_embeds[0].tolist()

            # Image-guided: the "query" image's best patch embedding scores the "wide" image.
            target = images["wide"]
            h, w = target.shape[:2]
            pv = processor(images=target, return_tensors="pt")["pixel_values"]
            qv = processor(images=images["query"], return_tensors="pt")["pixel_values"]
            pixel_tensors["query"] = qv[0].to(torch.float16).contiguous()
            g = model.image_guided_detection(pixel_values=pv, query_pixel_values=qv)
            r = post_boxes(processor, g.logits, g.target_pred_boxes, h, w)
            query_map = model.image_embedder(pixel_values=qv)[0]
            query_feats = query_map.reshape(1, -1, query_map.shape[-1])
            _, index, _ = model.embed_image_query(query_feats, query_map)
            guided = {"target": "wide", "query": "query", "width": w, "height": h,
                      "query_patch": int(index.flatten()[0]),
                      "logits": g.logits[0].tolist(), "pred_boxes": g.target_pred_boxes[0].tolist(),
                      "scores": r["scores"].tolist(), "boxes": r["boxes"].tolist()}

        save_file(pixel_tensors, str(out / "pixel_values.safetensors"))
        ids = [[int(t) for t, m in zip(row, mask) if m] for row, mask in zip(enc["input_ids"], enc["attention_mask"])]
        ref = {"family": spec["family"], "storage_dtype": spec["dtype"],
               "processor": type(processor).__name__, "versions": versions,
               "queries": QUERIES, "query_ids": ids, "text_embeds": text_embeds,
               "images": {k: {"file": f"images/{k}-{v[0]}x{v[1]}.rgb", "width": v[0], "height": v[1]}
                          for k, v in IMAGES.items()},
               "cases": cases, "image_guided": guided}
        (out / "reference.json").write_text(json.dumps(ref, indent=0))
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
