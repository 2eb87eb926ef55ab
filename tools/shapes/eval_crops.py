"""Zero-shot crop classification accuracy of a saved shapes model, seen vs held-out combinations.

    python3 tools/shapes/eval_crops.py                      # models/shapes-tiny, 25 crops per class
    python3 tools/shapes/eval_crops.py --model DIR --per-class 50 --json out.json

Each test crop holds one whole shape, centred with 15-67% context like a detector crop, on any
background kind; it is drawn from a seed that training never uses. The classes are all 80
"a photo of a COLOUR SHAPE." prompts, so held-out combinations compete with seen ones. The model
is loaded from the saved folder (CLIPModel / CLIPTokenizerFast / CLIPImageProcessor), so this
measures exactly what ships.
"""
import argparse
import json
import os
import random
import sys

import numpy as np
import torch
import torch.nn.functional as F
from transformers import CLIPImageProcessor, CLIPModel, CLIPTokenizerFast

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import world  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EVAL_SEED = 777_000_001  # training streams use seeds < 100_000


def test_crops(seed, per_class, size):
    rng, nrng = random.Random(seed), np.random.default_rng(seed)
    images, labels = [], []
    for cls in range(len(world.CLASS_NAMES)):
        for _ in range(per_class):
            img, _, _ = world.make_crop(rng, nrng, "object", cls, size, neighbours=False, occlusion=False,
                                        fraction=rng.uniform(0.6, 0.87))
            images.append(img)
            labels.append(cls)
    return images, torch.tensor(labels)


def features(out):
    return out.pooler_output if hasattr(out, "pooler_output") else out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", default=os.path.join(ROOT, "models", "shapes-tiny"))
    p.add_argument("--per-class", type=int, default=25)
    p.add_argument("--seed", type=int, default=EVAL_SEED)
    p.add_argument("--json", help="also write the numbers here")
    a = p.parse_args()
    torch.set_num_threads(2)

    model = CLIPModel.from_pretrained(a.model).float().eval()
    tok = CLIPTokenizerFast.from_pretrained(a.model)
    proc = CLIPImageProcessor.from_pretrained(a.model)
    size = model.config.vision_config.image_size
    images, labels = test_crops(a.seed, a.per_class, size)
    prompts = [f"a photo of a {n}." for n in world.CLASS_NAMES]
    with torch.no_grad():
        ids = tok(prompts, padding=True, return_tensors="pt")
        t = F.normalize(features(model.get_text_features(**ids)), dim=-1)
        preds = []
        for i in range(0, len(images), 250):
            px = proc(images=images[i:i + 250], return_tensors="pt")["pixel_values"]
            v = F.normalize(features(model.get_image_features(pixel_values=px)), dim=-1)
            preds.append((v @ t.t()).argmax(1))
    preds = torch.cat(preds)

    held = torch.tensor([world.CLASS_NAMES[i] in world.HELDOUT_SET for i in labels.tolist()])
    ok = preds == labels
    colour_of = lambda i: i // len(world.SHAPES)  # noqa: E731
    shape_of = lambda i: i % len(world.SHAPES)  # noqa: E731
    colour_ok = torch.tensor([colour_of(p) == colour_of(q) for p, q in zip(preds.tolist(), labels.tolist())])
    shape_ok = torch.tensor([shape_of(p) == shape_of(q) for p, q in zip(preds.tolist(), labels.tolist())])
    res = {
        "model": os.path.relpath(a.model, ROOT) if a.model.startswith(ROOT) else a.model,
        "seed": a.seed, "crops_per_class": a.per_class,
        "seen_accuracy": ok[~held].float().mean().item(),
        "heldout_accuracy": ok[held].float().mean().item(),
        "seen_colour_accuracy": colour_ok[~held].float().mean().item(),
        "seen_shape_accuracy": shape_ok[~held].float().mean().item(),
        "heldout_colour_accuracy": colour_ok[held].float().mean().item(),
        "heldout_shape_accuracy": shape_ok[held].float().mean().item(),
        "heldout_per_class": {n: ok[labels == world.CLASS_NAMES.index(n)].float().mean().item() for n in world.HELDOUT},
    }
    print(f"model {res['model']}  ({len(images)} crops, {a.per_class} per class, seed {a.seed})")
    print(f"seen combinations     ({int((~held).sum())} crops): accuracy {res['seen_accuracy']:.3f}  "
          f"(colour {res['seen_colour_accuracy']:.3f}, shape {res['seen_shape_accuracy']:.3f})")
    print(f"held-out combinations ({int(held.sum())} crops): accuracy {res['heldout_accuracy']:.3f}  "
          f"(colour {res['heldout_colour_accuracy']:.3f}, shape {res['heldout_shape_accuracy']:.3f})")
    print("held-out per class: " + ", ".join(f"{n} {v:.2f}" for n, v in res["heldout_per_class"].items()))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=2)


if __name__ == "__main__":
    main()
