"""Generates the COCO bbox evaluation fixtures for COCOEvaluatorTests (seeded, deterministic).

    python3 make_coco_fixtures.py      # run from anywhere; writes next to this script

Ground-truth sets (gt_*.json) and detection sets (dt_*.json) are synthetic; expected.json holds
what pycocotools' COCOeval(iouType="bbox") with default parameters reports for each case:
`stats` (the 12 summary numbers), per-category AP@[.5:.95] and AP50 computed from
eval["precision"][:, :, k, 0, 2] the way people usually do it, the mean precision over
(IoU threshold, recall threshold) for every (category, area range, maxDets) cell, and the full
recall array. Values are written with repr() so they round-trip exactly.
"""
import contextlib
import importlib.metadata
import io
import json
import os
import platform
import random

import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, obj):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")


def r2(x):
    return round(float(x), 2)


# --------------------------------------------------------------------------------------------
# "mixed": random scenes covering the usual situations at once.
# --------------------------------------------------------------------------------------------
def make_mixed(rng):
    cat_ids = [1, 2, 3, 5, 8, 9]          # 8: detections only (no GT); 9: GT only (no detections)
    heldout = {3, 5}
    categories = [{"id": c, "name": f"class {c}", "supercategory": "shape", "heldout": c in heldout}
                  for c in cat_ids]
    rng.shuffle(categories)
    image_ids = sorted(rng.sample(range(1, 500), 40))
    images = [{"id": i, "file_name": f"img_{i:04d}.jpg", "width": 640, "height": 480} for i in image_ids]
    rng.shuffle(images)                    # file order ≠ id order: the evaluator must sort ids
    empty_images = set(rng.sample(image_ids, 5))
    big_image = rng.choice([i for i in image_ids if i not in empty_images])

    def random_box(kind):
        if kind == "small":
            w, h = rng.uniform(3, 30), rng.uniform(3, 30)
        elif kind == "medium":
            w, h = rng.uniform(25, 95), rng.uniform(25, 95)
        else:
            w, h = rng.uniform(90, 300), rng.uniform(90, 300)
        x, y = rng.uniform(0, 640 - w), rng.uniform(0, 480 - h)
        return [r2(x), r2(y), r2(w), r2(h)]

    annotations = []
    for img in image_ids:
        if img in empty_images:
            continue
        for _ in range(rng.randint(1, 12)):
            cat = rng.choice([1, 2, 3, 5, 9])
            kind = rng.choice(["small", "medium", "large"])
            crowd = rng.random() < 0.06
            box = random_box("large" if crowd else kind)
            # Like segmentation areas, "area" is not w*h: area ranges must use the stored value.
            area = r2(box[2] * box[3] * rng.uniform(0.55, 1.0))
            annotations.append({"image_id": img, "category_id": cat, "bbox": box, "area": area,
                                "iscrowd": int(crowd)})
    ann_ids = rng.sample(range(1, 100000), len(annotations))
    for a, i in zip(annotations, ann_ids):
        a["id"] = i
    rng.shuffle(annotations)

    def jitter(box, rel):
        x, y, w, h = box
        return [r2(x + rng.gauss(0, rel * w)), r2(y + rng.gauss(0, rel * h)),
                r2(max(0.5, w * (1 + rng.gauss(0, rel)))), r2(max(0.5, h * (1 + rng.gauss(0, rel))))]

    def score(lo=0.2, hi=1.0):
        return round(rng.uniform(lo, hi), 2)    # two decimals: plenty of exact ties

    dets = []
    for a in annotations:
        if a["category_id"] == 9:
            continue
        if a["iscrowd"]:
            x, y, w, h = a["bbox"]
            for _ in range(rng.randint(1, 4)):    # several detections inside one crowd region
                dw, dh = w * rng.uniform(0.1, 0.4), h * rng.uniform(0.1, 0.4)
                dets.append({"image_id": a["image_id"], "category_id": a["category_id"],
                             "bbox": [r2(x + rng.uniform(0, w - dw)), r2(y + rng.uniform(0, h - dh)), r2(dw), r2(dh)],
                             "score": score()})
            continue
        if rng.random() < 0.82:
            dets.append({"image_id": a["image_id"], "category_id": a["category_id"],
                         "bbox": jitter(a["bbox"], rng.choice([0.02, 0.06, 0.12, 0.25])), "score": score(0.3)})
            if rng.random() < 0.25:             # duplicate detection of the same object
                dets.append({"image_id": a["image_id"], "category_id": a["category_id"],
                             "bbox": jitter(a["bbox"], 0.08), "score": score(0.1, 0.9)})
        if rng.random() < 0.1:                  # right box, wrong class
            dets.append({"image_id": a["image_id"], "category_id": rng.choice([1, 2, 3, 5, 8]),
                         "bbox": jitter(a["bbox"], 0.05), "score": score(0.1, 0.7)})
    for img in image_ids:                       # false positives, including images without GT
        for _ in range(rng.randint(0, 5)):
            dets.append({"image_id": img, "category_id": rng.choice([1, 2, 3, 5, 8]),
                         "bbox": random_box(rng.choice(["small", "medium", "large"])), "score": score(0.0, 0.8)})
    big_cat = next(a["category_id"] for a in annotations if a["image_id"] == big_image and a["category_id"] != 9)
    for _ in range(150):                        # > 100 detections of one class in one image: maxDets
        dets.append({"image_id": big_image, "category_id": big_cat,
                     "bbox": random_box(rng.choice(["small", "medium"])), "score": score(0.0, 0.5)})
    rng.shuffle(dets)
    gt = {"info": {"description": "mixed"}, "images": images, "annotations": annotations, "categories": categories}
    return gt, dets


# --------------------------------------------------------------------------------------------
# "edges": hand-built situations where a small slip changes the result.
# --------------------------------------------------------------------------------------------
def make_edges():
    images = [{"id": i, "file_name": f"e{i}.png", "width": 200, "height": 200} for i in (7, 3, 5, 11, 2, 13)]
    cats = [{"id": c, "name": n} for c, n in
            [(1, "threshold"), (2, "tie"), (3, "crowd"), (4, "boundary"), (6, "crowd only"), (7, "cross-image ties")]]
    A = []
    D = []

    def gt(i, img, cat, box, area, crowd=0):
        A.append({"id": i, "image_id": img, "category_id": cat, "bbox": box, "area": area, "iscrowd": crowd})

    def dt(img, cat, box, s):
        D.append({"image_id": img, "category_id": cat, "bbox": box, "score": s})

    # IoU exactly 0.5 and 0.75 (the thresholds themselves count as a match: `iou < t` skips).
    gt(101, 7, 1, [0, 0, 10, 10], 100.0)
    dt(7, 1, [0, 0, 10, 5], 0.9)               # IoU 0.5
    gt(102, 3, 1, [20, 20, 40, 40], 1600.0)
    dt(3, 1, [20, 20, 40, 30], 0.8)             # IoU 0.75
    gt(103, 3, 1, [100, 100, 20, 20], 400.0)
    dt(3, 1, [100, 100, 20, 20], 0.8)           # IoU 1.0: matched even at 1 - 1e-10
    # Equal IoU with two GT boxes: the later one in ignore-sorted order wins; their areas put them
    # in different area ranges, so the choice shows in AP small / medium.
    gt(201, 5, 2, [10, 10, 40, 40], 900.0)
    gt(202, 5, 2, [10, 10, 40, 40], 2000.0)
    dt(5, 2, [10, 10, 40, 36], 0.7)
    dt(5, 2, [60, 60, 10, 10], 0.7)             # tied score, false positive, same image
    # Crowd: a detection overlapping a regular GT (0.6) and a crowd GT (0.9) stays with the regular
    # one (the loop breaks when it reaches ignored GT); crowd regions absorb many detections;
    # crowd IoU divides by the detection's area.
    gt(301, 11, 3, [0, 0, 100, 100], 10000.0)
    gt(302, 11, 3, [0, 0, 200, 200], 40000.0, crowd=1)
    dt(11, 3, [0, 0, 100, 60], 0.95)
    dt(11, 3, [0, 0, 100, 100], 0.9)
    dt(11, 3, [120, 120, 30, 30], 0.85)
    dt(11, 3, [150, 150, 30, 30], 0.85)
    dt(11, 3, [190, 190, 30, 30], 0.6)           # only 1/9 inside the crowd: false positive
    # Area boundaries: 32² and 96² belong to both neighbouring ranges.
    gt(401, 2, 4, [0, 0, 32, 32], 1024.0)
    gt(402, 2, 4, [50, 50, 96, 96], 9216.0)
    dt(2, 4, [0, 0, 32, 32], 0.5)
    dt(2, 4, [50, 50, 96, 96], 0.4)
    dt(2, 4, [150, 0, 32, 32], 0.45)             # unmatched, area exactly 1024: counts in small and medium
    dt(2, 4, [150, 100, 0, 20], 0.3)              # zero width: IoU 0 with everything
    # A category whose only GT is crowd: no non-ignored GT, so precision stays -1.
    gt(601, 13, 6, [0, 0, 50, 50], 2500.0, crowd=1)
    dt(13, 6, [0, 0, 20, 20], 0.9)
    # The same score on several images: the merged order follows image id, then score order.
    gt(701, 13, 7, [0, 0, 50, 50], 2500.0)
    gt(702, 2, 7, [0, 0, 50, 50], 2500.0)
    gt(703, 7, 7, [0, 0, 50, 50], 2500.0)
    dt(13, 7, [0, 0, 50, 50], 0.5)
    dt(2, 7, [100, 100, 50, 50], 0.5)
    dt(7, 7, [0, 0, 50, 50], 0.5)
    dt(2, 7, [0, 0, 50, 50], 0.5)
    return {"images": images, "annotations": A, "categories": cats}, D


def score_of(rng):
    return round(rng.uniform(0.5, 1.0), 3)


# --------------------------------------------------------------------------------------------
# "perfect": every object found exactly once: AP 1 where there is GT.
# --------------------------------------------------------------------------------------------
def make_perfect(rng):
    images = [{"id": i, "file_name": f"p{i}.png", "width": 300, "height": 300} for i in range(1, 6)]
    cats = [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]
    A, D = [], []
    for img in range(1, 6):
        for _ in range(3):
            w, h = r2(rng.uniform(40, 120)), r2(rng.uniform(40, 120))
            box = [r2(rng.uniform(0, 150)), r2(rng.uniform(0, 150)), w, h]
            cat = rng.choice([1, 2])
            A.append({"id": len(A) + 1, "image_id": img, "category_id": cat, "bbox": box, "area": r2(w * h), "iscrowd": 0})
            D.append({"image_id": img, "category_id": cat, "bbox": box, "score": score_of(rng)})
    return {"images": images, "annotations": A, "categories": cats}, D


def evaluate(gt_file, dt_file, cat_ids=None, img_ids=None):
    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO(os.path.join(HERE, gt_file))
        coco_dt = coco_gt.loadRes(os.path.join(HERE, dt_file))
        E = COCOeval(coco_gt, coco_dt, iouType="bbox")
        if cat_ids is not None:
            E.params.catIds = cat_ids
        if img_ids is not None:
            E.params.imgIds = img_ids
        E.evaluate()
        E.accumulate()
        E.summarize()
    precision, recall = E.eval["precision"], E.eval["recall"]
    cats = list(E.params.catIds)
    per_ap, per_ap50, mean_precision = {}, {}, []
    for k, c in enumerate(cats):
        p = precision[:, :, k, 0, 2]
        per_ap[str(int(c))] = float(np.mean(p[p > -1])) if (p > -1).any() else -1.0
        p50 = precision[0, :, k, 0, 2]
        per_ap50[str(int(c))] = float(np.mean(p50[p50 > -1])) if (p50 > -1).any() else -1.0
        cell = []
        for a in range(4):
            row = []
            for m in range(3):
                q = precision[:, :, k, a, m]
                row.append(float(np.mean(q[q > -1])) if (q > -1).any() else -1.0)
            cell.append(row)
        mean_precision.append(cell)
    return {
        "groundTruth": gt_file, "detections": dt_file,
        "categoryIds": cat_ids, "imageIds": img_ids,
        "evaluatedCategoryIds": [int(c) for c in cats],
        "stats": [float(s) for s in E.stats],
        "perCategoryAP": per_ap, "perCategoryAP50": per_ap50,
        "meanPrecision": mean_precision,                     # [K][A][M], mean over T × R
        "recall": [float(x) for x in recall.reshape(-1)],     # [T][K][A][M], C order
    }


def main():
    rng = random.Random(20240607)
    gt, dt = make_mixed(rng)
    write("gt_mixed.json", gt)
    write("dt_mixed.json", dt)
    gt, dt = make_edges()
    write("gt_edges.json", gt)
    write("dt_edges.json", dt)
    gt, dt = make_perfect(rng)
    write("gt_perfect.json", gt)
    write("dt_perfect.json", dt)
    # Results for an image that is not in the ground truth: pycocotools asserts; we reject.
    write("dt_unknown_image.json", [{"image_id": 999, "category_id": 1, "bbox": [0, 0, 5, 5], "score": 0.5}])

    mixed = json.load(open(os.path.join(HERE, "gt_mixed.json")))
    heldout = sorted(c["id"] for c in mixed["categories"] if c.get("heldout"))
    some_images = sorted(i["id"] for i in mixed["images"])[:15] + [100000]   # + an id with nothing
    cases = [
        dict(name="mixed", **evaluate("gt_mixed.json", "dt_mixed.json")),
        dict(name="mixed-heldout-categories", **evaluate("gt_mixed.json", "dt_mixed.json", cat_ids=heldout)),
        dict(name="mixed-image-subset", **evaluate("gt_mixed.json", "dt_mixed.json", img_ids=some_images)),
        dict(name="edges", **evaluate("gt_edges.json", "dt_edges.json")),
        dict(name="perfect", **evaluate("gt_perfect.json", "dt_perfect.json")),
    ]
    write("expected.json", {
        "generator": "make_coco_fixtures.py",
        "versions": {"pycocotools": importlib.metadata.version("pycocotools"), "numpy": np.__version__,
                     "python": platform.python_version()},
        "cases": cases,
    })


if __name__ == "__main__":
    main()
