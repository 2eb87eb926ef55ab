"""Linear probes of what an OWL detector's patch tokens know about the objects under them.

    python3 tools/shapes/probe_owl.py                       # shapes-tiny's backbone at 256 px, untrained
    python3 tools/shapes/probe_owl.py --model DETECTOR_DIR  # a detector saved by train_owl.py

Draws training-style scenes at the benchmark's pixel scale (train_owl.make_scene with
``max_objects=8``), runs the vision tower, and for every object and every layer's patch tokens
fits a logistic regression (L-BFGS, 75/25 split, standardised features) for the object's shape and
colour from three readouts:

- ``centre``: the token of the patch holding the object's centre (what OWL-ViT's heads read);
- ``box mean``: the mean of the tokens inside the object's box;
- ``box 3x3``: the tokens inside the box average-pooled to a 3 x 3 grid and concatenated (the
  layout of the object relative to itself, as RoI pooling would give it).

A readout that probes well holds the information; whether the detector's centre patch can gather
it is the training's problem. Chance is 1/8 for the shape and 1/10 for the colour.
"""
import argparse
import math
import os
import random
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_owl as T  # noqa: E402


def readouts(tokens, box, grid):
    """(centre, box mean, box 3x3) of one image's patch tokens (P, D) for a cxcywh box in [0, 1]."""
    cx, cy, w, h = [float(t) for t in box]
    centre = tokens[min(grid - 1, int(cy * grid)) * grid + min(grid - 1, int(cx * grid))]
    x0, x1 = max(0, math.floor((cx - w / 2) * grid)), min(grid, math.ceil((cx + w / 2) * grid))
    y0, y1 = max(0, math.floor((cy - h / 2) * grid)), min(grid, math.ceil((cy + h / 2) * grid))
    region = tokens.reshape(grid, grid, -1)[y0:y1, x0:x1].permute(2, 0, 1)[None]
    return centre, region.mean((2, 3))[0], F.adaptive_avg_pool2d(region, 3).flatten()


def probe(x, y, classes, train):
    """Held-out accuracy of an L2-regularised logistic regression of ``y`` on ``x``."""
    x = (x - x[:train].mean(0)) / (x[:train].std(0) + 1e-6)
    w = torch.zeros(x.shape[1], classes, requires_grad=True)
    b = torch.zeros(classes, requires_grad=True)
    opt = torch.optim.LBFGS([w, b], max_iter=200)

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(x[:train] @ w + b, y[:train]) + 1e-3 * (w ** 2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return ((x[train:] @ w + b).argmax(1) == y[train:]).float().mean().item()


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", help="a detector folder (default: shapes-tiny's backbone, untrained, at --image-size)")
    p.add_argument("--init", default=os.path.join(root, "models", "shapes-tiny"))
    p.add_argument("--image-size", type=int, default=256)
    p.add_argument("--scenes", type=int, default=320)
    p.add_argument("--seed", type=int, default=5)
    a = p.parse_args()
    torch.set_num_threads(1)
    if a.model:
        model = T.OwlViTForObjectDetection.from_pretrained(a.model, dtype=torch.float32)
    else:
        model = T.build(a.init, a.image_size)
    model.eval()
    size = model.config.vision_config.image_size
    grid = size // model.config.vision_config.patch_size
    rng, nrng = random.Random(a.seed), np.random.default_rng(a.seed)
    feats, labels = {}, []
    with torch.no_grad():
        for _ in range(a.scenes // 8):
            scenes = [T.make_scene(rng, nrng, size, max_objects=8) for _ in range(8)]
            out = model.owlvit.vision_model(pixel_values=T.to_tensor([s[0] for s in scenes]), output_hidden_states=True)
            for i, s in enumerate(scenes):
                for box, label in zip(s[1], s[2]):
                    for layer, hidden in enumerate(out.hidden_states):
                        for name, v in zip(("centre", "box mean", "box 3x3"), readouts(hidden[i, 1:], box, grid)):
                            feats.setdefault((layer, name), []).append(v)
                    labels.append(int(label))
    y = torch.tensor(labels)
    train = int(len(labels) * 0.75)
    print(f"{a.model or a.init + ' (untrained detector)'}: {len(labels)} objects in {a.scenes} scenes at {size} px; "
          f"layer 0 = embeddings")
    print("layer  readout    shape  colour")
    for (layer, name), v in feats.items():
        x = torch.stack(v)
        print(f"{layer:5d}  {name:9s}  {probe(x, y % 8, 8, train):.3f}  {probe(x, y // 8, 10, train):.3f}", flush=True)


if __name__ == "__main__":
    main()
