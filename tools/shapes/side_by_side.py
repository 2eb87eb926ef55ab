"""Draws one benchmark scene as the crop pipeline (shapes-tiny) and the one-pass detector
(shapes-owl) see it, side by side, for the README.

    python3 tools/shapes/side_by_side.py [--scene examples/shapes-bench/scene_009.jpg]
        [--clipdetect .build/release/clipdetect] [--out examples/shapes_owl_side_by_side.jpg]

Both runs use every category name of the benchmark as a class and each model's default flags,
exactly as `clipdetect eval` does; the caption under each half gives the model and how many
boxes it drew.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

from PIL import Image, ImageDraw, ImageFont

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def detect(binary, scene, model, classes, folder):
    out = os.path.join(folder, model + ".png")
    res = os.path.join(folder, model + ".json")
    subprocess.run([binary, scene, "--model", model, "--classes", ",".join(classes), "--output", out,
                    "--json", res], check=True, stdout=subprocess.DEVNULL)
    boxes = len(json.load(open(res))[0]["detections"])
    return Image.open(out).convert("RGB"), boxes


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--scene", default=os.path.join(ROOT, "examples", "shapes-bench", "scene_009.jpg"))
    p.add_argument("--clipdetect", default=os.path.join(ROOT, ".build", "release", "clipdetect"))
    p.add_argument("--out", default=os.path.join(ROOT, "examples", "shapes_owl_side_by_side.jpg"))
    a = p.parse_args()
    if not os.path.exists(a.clipdetect):
        sys.exit(f"{a.clipdetect}: not found (build with swift build -c release, or pass --clipdetect)")
    gt = json.load(open(os.path.join(os.path.dirname(a.scene), "annotations.json")))
    classes = [c["name"] for c in sorted(gt["categories"], key=lambda c: c["id"])]
    name = os.path.basename(a.scene)
    image_id = next(im["id"] for im in gt["images"] if im["file_name"] == name)
    objects = sum(1 for ann in gt["annotations"] if ann["image_id"] == image_id)
    with tempfile.TemporaryDirectory() as tmp:
        halves = [(m, *detect(a.clipdetect, a.scene, m, classes, tmp)) for m in ("shapes-tiny", "shapes-owl")]
    w, h = halves[0][1].size
    caption = 34
    sheet = Image.new("RGB", (2 * w + 8, h + caption), "white")
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=18)
    for i, (model, img, boxes) in enumerate(halves):
        x = i * (w + 8)
        sheet.paste(img, (x, 0))
        kind = "crop pipeline" if model == "shapes-tiny" else "one pass (OWL-ViT)"
        draw.text((x + 6, h + 8), f"{model}, {kind}: {boxes} boxes for {objects} objects, 80 classes",
                  fill="black", font=font)
    sheet.save(a.out, quality=88)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
