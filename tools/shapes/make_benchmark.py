"""Renders the shapes detection benchmark and the README showcase scenes (deterministic).

    python3 tools/shapes/make_benchmark.py        # writes examples/shapes-bench/ and examples/scene*.png

Benchmark: 60 scenes of 640x480, 2-8 objects each, non-overlapping or lightly overlapping, about
40% of the objects from held-out colour-shape combinations, every background kind; JPEG quality 90
plus COCO ground truth (annotations.json). Boxes are tight around the visible pixels of each shape
(alpha > 0.5 after occlusion); area is the visible pixel count. Categories are the 80
"COLOUR SHAPE" names, ids 1..80 in world.CLASS_NAMES order, each with "heldout": true/false.
"""
import argparse
import json
import math
import os
import random
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import world  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BENCH_SEED = 424_242  # never used by training (seeds < 100_000) or eval_crops
W, H = 640, 480


def place(rng, names, min_extent=40, max_extent=150, overlap_p=0.2):
    """Object specs at positions that keep every shape at least ~75% visible."""
    specs = []
    for name in names:
        colour, shape = name.split(" ")
        for _ in range(200):
            e = math.exp(rng.uniform(math.log(min_extent), math.log(max_extent)))
            cx, cy = rng.uniform(e / 2 + 4, W - e / 2 - 4), rng.uniform(e / 2 + 4, H - e / 2 - 4)
            factor = 0.8 if rng.random() < overlap_p else 1.1
            if all(math.hypot(cx - s["cx"], cy - s["cy"]) >= (e + s["extent"]) / 2 * factor for s in specs):
                specs.append(world.object_spec(rng, colour, shape, cx, cy, e))
                break
    return specs


def scene_names(rng, n, heldout_p=0.4):
    seen = [c for c in world.SEEN]
    held = list(world.HELDOUT)
    names = []
    while len(names) < n:
        name = rng.choice(held) if rng.random() < heldout_p else rng.choice(seen)
        if name not in names:
            names.append(name)
    return names


def render(rng, nrng, specs, bg):
    img, alphas = world.render_scene(rng, nrng, W, H, specs, bg)
    objs = []
    for s, a in zip(specs, alphas):
        box = world.tight_box(a)
        full = float((world.draw_object(np.zeros((H, W, 3), np.float32), s) > 0.5).sum())
        visible = float((a > 0.5).sum())
        objs.append({"name": f"{s['colour']} {s['shape']}", "bbox": box, "area": visible, "visible": visible / max(1.0, full)})
    return img, objs


def benchmark(out_dir, count, seed):
    rng, nrng = random.Random(seed), np.random.default_rng(seed)
    os.makedirs(out_dir, exist_ok=True)
    cats = [{"id": i + 1, "name": n, "supercategory": "shape", "heldout": n in world.HELDOUT_SET}
            for i, n in enumerate(world.CLASS_NAMES)]
    images, anns = [], []
    for k in range(count):
        bg = world.BACKGROUND_KINDS[k % len(world.BACKGROUND_KINDS)]
        names = scene_names(rng, rng.randint(2, 8))
        specs = place(rng, names)
        img, objs = render(rng, nrng, specs, bg)
        fname = f"scene_{k:03d}.jpg"
        img.save(os.path.join(out_dir, fname), quality=90)
        images.append({"id": k + 1, "file_name": fname, "width": W, "height": H, "background": bg})
        for o in objs:
            if o["bbox"] is None or o["visible"] < 0.5:
                continue  # mostly hidden: leave it out rather than ask for the impossible
            anns.append({"id": len(anns) + 1, "image_id": k + 1, "category_id": world.CLASS_NAMES.index(o["name"]) + 1,
                         "bbox": o["bbox"], "area": o["area"], "iscrowd": 0})
    gt = {"info": {"description": "shapes-bench: synthetic coloured shapes, tools/shapes/make_benchmark.py",
                   "seed": seed, "generator": "tools/shapes/world.py"},
          "licenses": [{"id": 1, "name": "MIT"}],
          "images": images, "annotations": anns, "categories": cats}
    with open(os.path.join(out_dir, "annotations.json"), "w") as f:
        json.dump(gt, f, indent=1)
    held = sum(1 for a in anns if cats[a["category_id"] - 1]["heldout"])
    print(f"{count} scenes, {len(anns)} objects, {held} held-out ({held / len(anns):.0%})")


SHOWCASE = {
    # file: (seed, background, names)
    "scene.png": (11, "gradient", ["red star", "blue circle", "yellow diamond", "green square", "purple triangle"]),
    "scene2.png": (12, "photo", ["orange pentagon", "white square", "pink star", "blue hexagon", "black triangle"]),
    "scene3.png": (13, "clutter", ["green cross", "red hexagon", "brown circle", "yellow square", "purple star", "white cross"]),
}


def showcase(out_dir):
    for fname, (seed, bg, names) in SHOWCASE.items():
        rng, nrng = random.Random(seed), np.random.default_rng(seed)
        specs = place(rng, names, min_extent=70, max_extent=150, overlap_p=0.0)
        assert len(specs) == len(names), fname
        for s in specs:
            s["style"] = "filled" if s["style"] == "outline" else s["style"]  # README shapes read best solid
        img, objs = render(rng, nrng, specs, bg)
        img.save(os.path.join(out_dir, fname))
        held = [o["name"] for o in objs if o["name"] in world.HELDOUT_SET]
        print(fname, ", ".join(f"{o['name']} {o['bbox']}" for o in objs), "| held-out:", ", ".join(held))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default=os.path.join(ROOT, "examples"))
    p.add_argument("--count", type=int, default=60)
    p.add_argument("--seed", type=int, default=BENCH_SEED)
    a = p.parse_args()
    benchmark(os.path.join(a.out, "shapes-bench"), a.count, a.seed)
    showcase(a.out)


if __name__ == "__main__":
    main()
