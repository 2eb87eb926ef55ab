"""Splits a COCO benchmark into two halves by image position (even / odd), for choosing
detector settings on one half and reporting the other.

    python3 tools/shapes/split_bench.py examples/shapes-bench/annotations.json /tmp/halves
    # writes /tmp/halves/even.json (scenes 0, 2, 4, ...) and /tmp/halves/odd.json (1, 3, 5, ...)

Use with `clipdetect eval --images examples/shapes-bench --annotations /tmp/halves/even.json`.
"""
import json
import os
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, out = sys.argv[1], sys.argv[2]
    gt = json.load(open(src))
    os.makedirs(out, exist_ok=True)
    for name, parity in (("even", 0), ("odd", 1)):
        images = [im for k, im in enumerate(gt["images"]) if k % 2 == parity]
        ids = {im["id"] for im in images}
        half = dict(gt, images=images, annotations=[a for a in gt["annotations"] if a["image_id"] in ids])
        with open(os.path.join(out, f"{name}.json"), "w") as f:
            json.dump(half, f)
        print(f"{name}: {len(images)} images, {len(half['annotations'])} objects")


if __name__ == "__main__":
    main()
