#!/usr/bin/env python3
"""Full-pipeline parity of `clipdetect embed` with transformers on a model folder.

    python3 tools/check_parity.py MODEL_FOLDER [IMAGE ...]

Runs transformers' CLIPModel (fp32, CPU) with CLIPImageProcessorPil (the PIL backend, which the
Swift preprocessing reproduces) and CLIPTokenizerFast on the images and a few texts, runs the
release `clipdetect embed --json` on the same inputs, and prints cosine similarity and
max |error| / ‖reference‖ per embedding. Exit status 1 if any is outside cosine ≥ 0.99999 and
error ≤ 1e-4.
"""
import json, subprocess, sys, pathlib

import numpy as np
import torch
from PIL import Image, ImageOps
from transformers import CLIPImageProcessorPil, CLIPModel, CLIPTokenizerFast

ROOT = pathlib.Path(__file__).resolve().parents[1]
DATA = pathlib.Path("/usr/share/doc/opencv-doc/examples/data")
if not DATA.is_dir():  # Debian's opencv-doc
    subprocess.run([str(ROOT / "tools" / "install-dev-deps.sh")], check=True)
TEXTS = ["a photo of a cat.", "a red backpack", "person wearing a hat", "ein Foto eines Hundes 🐕"]


def main():
    folder = pathlib.Path(sys.argv[1])
    images = sys.argv[2:] or [str(DATA / n) for n in ("messi5.jpg", "fruits.jpg", "baboon.jpg") if (DATA / n).exists()]
    model = CLIPModel.from_pretrained(folder).eval()
    proc = CLIPImageProcessorPil.from_pretrained(folder) if (folder / "preprocessor_config.json").exists() else CLIPImageProcessorPil(
        size={"shortest_edge": model.config.vision_config.image_size},
        crop_size={"height": model.config.vision_config.image_size, "width": model.config.vision_config.image_size})
    tok = CLIPTokenizerFast.from_pretrained(folder)
    pil = [ImageOps.exif_transpose(Image.open(p)) for p in images]
    with torch.no_grad():
        pv = proc(images=pil, return_tensors="pt")["pixel_values"]
        img = model.get_image_features(pixel_values=pv)
        img = getattr(img, "pooler_output", img).numpy()
        enc = tok(TEXTS, padding=True, truncation=True, max_length=model.config.text_config.max_position_embeddings, return_tensors="pt")
        txt = model.get_text_features(**enc)
        txt = getattr(txt, "pooler_output", txt).numpy()
    cmd = [str(ROOT / ".build/release/clipdetect"), "embed", "--model", str(folder), "--json"]
    for p in images:
        cmd += ["--image", p]
    for t in TEXTS:
        cmd += ["--text", t]
    out = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    ok = True
    rows = [(f"image {p}", img[i], out["images"][i]["embedding"]) for i, p in enumerate(images)]
    rows += [(f"text {t!r}", txt[i], out["texts"][i]["embedding"]) for i, t in enumerate(TEXTS)]
    for name, ref, got in rows:
        got = np.asarray(got, dtype=np.float64)
        ref = ref.astype(np.float64)
        cos = float(got @ ref / np.linalg.norm(got) / np.linalg.norm(ref))
        err = float(np.abs(got - ref).max() / np.linalg.norm(ref))
        good = cos >= 0.99999 and err <= 1e-4
        ok &= good
        print(f"{'ok ' if good else 'BAD'} cos {cos:.8f}  max|err|/norm {err:.2e}  {name}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
