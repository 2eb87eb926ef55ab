"""Evaluates shapes-owl with transformers on examples/shapes-bench, both halves of the benchmark.

    python3 tools/shapes/eval_owl.py                       # models/shapes-owl, default thresholds
    python3 tools/shapes/eval_owl.py --choose              # re-choose conf / NMS IoU on the even half
    python3 tools/shapes/eval_owl.py --choose --write-defaults   # ... and store them in the model folder
    python3 tools/shapes/eval_owl.py --centre              # what the patch at each object's centre says
    python3 tools/shapes/eval_owl.py --no-refine           # transformers' boxes as they are
    python3 tools/shapes/eval_owl.py --no-containment      # per-class NMS's output as it is

Every category name is a class (query "a photo of a NAME."). Post-processing is transformers'
``post_process_object_detection`` (the best class per patch, score = its sigmoid) followed by
per-class NMS and, where the folder asks, containment suppression; at most 100 boxes per image go
to COCO evaluation (pycocotools: AP, AP50, AP75, and AP50 over the held-out categories, the
``heldout`` flag in annotations.json). At the default
confidence: precision and recall at IoU 0.5 (greedy matching by score, same class) and boxes per
ground-truth object. Halves: even scene index (scene_000, scene_002, ...) and odd. ``--choose``
picks the confidence, NMS IoU and containment on the even half only and reports both halves with
them: the highest recall at IoU 0.5 among the candidates with precision >= 0.7 and <= 1.2 boxes
per object (the operating point issue 14 asks of the default flags; F1 breaks ties, and when no
candidate reaches precision 0.7 the best F1 with <= 1.2 boxes per object wins). The defaults
(template, confidence, NMS IoU, containment, refinement) are the model folder's
``detection_defaults.json``, the file clipdetect reads too, so both tools run the model the same
way; ``--write-defaults`` writes the chosen values there.

Containment (``"containment": true`` with ``"cross_class_score_ratio"``; ``--containment`` /
``--no-containment`` and ``--cross-class-ratio`` override): clipdetect's ``ContainmentSuppression``
after NMS (``containment`` follows it rule by rule): an overlapping box of another class goes when
it scores at most the ratio times the kept box, then loose boxes around a smaller box that scores
as well, then fragments inside a better box of the same class. ``--choose`` tries none and the
ratios 0.5, 0.7, 0.8, 0.9, 0.95 and 1.

Refinement (``"refine": true``, GrabCut on a copy of ``"refine_long_side"`` px; ``--refine`` /
``--no-refine`` and ``--refine-long-side`` override): each kept box snaps to the extent of the object
GrabCut finds around it, as clipdetect's ``BoxRefiner`` does (``refine_box`` follows it step by step
with the OpenCV of the Python wheel, so a box may differ from clipdetect's by a pixel where the two
OpenCV builds round differently). ``--choose`` turns it on when it raises the even half's AP at the
chosen thresholds; the long side is not chosen here (it trades AP for time, which clipdetect
measures: see the model card).

``--centre`` reads off, per half, the patch holding each ground-truth object's centre: how often its
best query is the object's class, colour and shape, and the IoU of its box with the object's (the
diagnostic train_owl.py's tables quote); then, over all scenes, the shape confusion and the shape
accuracy by object size.
"""
import argparse
import contextlib
import io
import json
import os
import sys
import time

import numpy as np
import torch
from PIL import Image
from transformers import OwlViTForObjectDetection, OwlViTProcessor

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULTS_FILE = "detection_defaults.json"
FALLBACK = {"template": "a photo of a {}.", "confidence": 0.1, "iou_threshold": 0.3, "containment": False,
            "cross_class_score_ratio": 1.0, "refine": False, "refine_long_side": 96}
# clipdetect's OWL defaults; 1.0: ContainmentSuppression's own ratio; 96: BoxRefiner's own long side
RATIOS = (0.5, 0.7, 0.8, 0.9, 0.95, 1.0)  # cross-class score ratios --choose tries (and none)


def model_defaults(model_dir):
    """The model folder's detection_defaults.json over the OWL fallbacks (clipdetect does the same)."""
    d = dict(FALLBACK)
    path = os.path.join(model_dir, DEFAULTS_FILE)
    if os.path.exists(path):
        d.update({k: v for k, v in json.load(open(path)).items() if k in FALLBACK})
    return d


def ensure_pycocotools():
    try:
        import pycocotools  # noqa: F401
    except ImportError:
        import subprocess
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "pycocotools"], check=True)


def iou_xyxy(a, b):
    """IoU of one box (4,) against boxes (N, 4), xyxy."""
    lt = np.maximum(a[:2], b[:, :2])
    rb = np.minimum(a[2:], b[:, 2:])
    inter = np.clip(rb - lt, 0, None).prod(1)
    area = lambda x: np.clip(x[..., 2] - x[..., 0], 0, None) * np.clip(x[..., 3] - x[..., 1], 0, None)
    return inter / np.maximum(area(a) + area(b) - inter, 1e-9)


def refine_box(bgr, box, grow=0.3, rect_grow=0.05, long_side=96, iterations=3, min_iou=0.5):
    """clipdetect's ``BoxRefiner.refine`` (its defaults): GrabCut on the box's window grown by
    ``grow`` (a copy of at most ``long_side`` px) with the box grown by ``rect_grow`` as the
    rectangle; the box becomes the bounds of the largest 8-connected foreground component when
    that overlaps it by IoU >= ``min_iou``. ``bgr``: the whole image (H, W, 3) uint8; ``box``: xyxy."""
    import cv2
    x1b, y1b, x2b, y2b = (float(v) for v in box)
    w, h = x2b - x1b, y2b - y1b
    x1, y1 = max(0, int(np.floor(x1b - w * grow))), max(0, int(np.floor(y1b - h * grow)))
    x2, y2 = min(bgr.shape[1], int(np.ceil(x2b + w * grow))), min(bgr.shape[0], int(np.ceil(y2b + h * grow)))
    if x2 - x1 < 8 or y2 - y1 < 8:
        return box
    window = bgr[y1:y2, x1:x2]
    side = max(window.shape[:2])
    if side > long_side:
        k = long_side / side
        window = cv2.resize(window, (max(1, round(window.shape[1] * k)), max(1, round(window.shape[0] * k))),
                            interpolation=cv2.INTER_AREA)
    sx, sy = window.shape[1] / (x2 - x1), window.shape[0] / (y2 - y1)
    left, top = max(0, round((x1b - w * rect_grow - x1) * sx)), max(0, round((y1b - h * rect_grow - y1) * sy))
    right = min(window.shape[1] - 1, round((x2b + w * rect_grow - x1) * sx))
    bottom = min(window.shape[0] - 1, round((y2b + h * rect_grow - y1) * sy))
    if right - left < 4 or bottom - top < 4:
        return box
    labels = np.zeros(window.shape[:2], np.uint8)
    cv2.setRNGSeed(0x5eed12)  # the seed clipdetect's shim sets before every grabCut
    cv2.grabCut(np.ascontiguousarray(window), labels, (left, top, right - left, bottom - top),
                np.zeros((1, 65)), np.zeros((1, 65)), iterations, cv2.GC_INIT_WITH_RECT)
    n, _, stats, _ = cv2.connectedComponentsWithStats((labels & 1).astype(np.uint8), connectivity=8)
    if n <= 1:
        return box
    c = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    L, T, W, H = (int(v) for v in stats[c, :4])
    found = np.array([x1 + L / sx, y1 + T / sy, x1 + (L + W) / sx, y1 + (T + H) / sy])
    return found if iou_xyxy(found, np.asarray(box, float)[None])[0] >= min_iou else box


def nms_per_class(boxes, scores, labels, iou):
    """Greedy NMS within each class; returns kept indices, highest score first."""
    order = np.argsort(-scores, kind="stable")
    keep = []
    for i in order:
        same = [k for k in keep if labels[k] == labels[i]]
        if same and iou_xyxy(boxes[i], boxes[same]).max() > iou:
            continue
        keep.append(i)
    return keep


def containment(boxes, scores, labels, keep, ratio, cross_iou=0.5, inside=0.8, inner_area=0.6):
    """clipdetect's ``ContainmentSuppression.apply`` on NMS's ``keep`` (best first): kept indices."""
    kept = []
    for i in keep:  # rule 1, walking by score against the boxes kept so far
        k = np.asarray(kept, dtype=np.int64)
        if not (len(k) and ((labels[k] != labels[i]) & (np.float32(scores[i]) <= np.float32(ratio) * scores[k])
                            & (iou_xyxy(boxes[i], boxes[k]) > cross_iou)).any()):
            kept.append(i)
    if not kept:
        return kept
    k = np.asarray(kept)
    b, s, l = boxes[k], scores[k], labels[k]
    area = np.clip(b[:, 2] - b[:, 0], 0, None) * np.clip(b[:, 3] - b[:, 1], 0, None)
    w = np.clip(np.minimum(b[:, None, 2], b[None, :, 2]) - np.maximum(b[:, None, 0], b[None, :, 0]), 0, None)
    h = np.clip(np.minimum(b[:, None, 3], b[None, :, 3]) - np.maximum(b[:, None, 1], b[None, :, 1]), 0, None)
    inter, other = w * h, ~np.eye(len(k), dtype=bool)  # [i, j]: box i against box j
    loose = (inter >= inside * area[None, :]) & (area[None, :] <= inner_area * area[:, None]) & (s[None, :] >= s[:, None])
    fragment = (l[None, :] == l[:, None]) & (inter >= inside * area[:, None]) & (s[None, :] > s[:, None])
    dropped = ((loose | fragment) & other).any(axis=1)  # rules 2 (i loose around j) and 3 (i a fragment of j)
    return [i for i, d in zip(kept, dropped) if not d]


@torch.no_grad()
def raw_detections(model_dir, bench, threads, template):
    """Per image: (boxes xyxy, scores, labels) above 0.01, and the mean seconds per image."""
    torch.set_num_threads(threads)
    model = OwlViTForObjectDetection.from_pretrained(model_dir, dtype=torch.float32).eval()
    proc = OwlViTProcessor.from_pretrained(model_dir)
    gt = json.load(open(os.path.join(bench, "annotations.json")))
    texts = [template.replace("{}", c["name"]) for c in gt["categories"]]
    out, seconds = {}, []
    for im in gt["images"]:
        image = Image.open(os.path.join(bench, im["file_name"])).convert("RGB")
        t = time.perf_counter()
        inputs = proc(text=[texts], images=image, return_tensors="pt")
        outputs = model(**inputs)
        res = proc.image_processor.post_process_object_detection(
            outputs, threshold=0.01, target_sizes=[(image.height, image.width)])[0]
        seconds.append(time.perf_counter() - t)
        out[im["id"]] = (res["boxes"].numpy(), res["scores"].numpy(), res["labels"].numpy())
    return gt, out, float(np.median(seconds[1:] or seconds))


@torch.no_grad()
def centre_patch(model_dir, bench, threads, template, halves):
    """Per half: accuracy of the centre patch's best query (class, colour, shape) and its box IoU."""
    torch.set_num_threads(threads)
    model = OwlViTForObjectDetection.from_pretrained(model_dir, dtype=torch.float32).eval()
    proc = OwlViTProcessor.from_pretrained(model_dir)
    gt = json.load(open(os.path.join(bench, "annotations.json")))
    cats = sorted(gt["categories"], key=lambda c: c["id"])
    colour_of = {c["id"]: c["name"].split(" ")[0] for c in cats}
    shape_of = {c["id"]: c["name"].split(" ")[1] for c in cats}
    queries = proc(text=[[template.replace("{}", c["name"]) for c in cats]], return_tensors="pt")
    size = model.config.vision_config.image_size // model.config.vision_config.patch_size
    rows = {name: [] for name in halves}
    shapes = sorted({shape_of[c["id"]] for c in cats})
    confusion = np.zeros((len(shapes), len(shapes)), dtype=np.int64)
    bins = (0, 3, 4, 5, 7)  # the object's longer side, in patches of the input grid
    by_size = np.zeros((len(bins), len(shapes), 2), dtype=np.int64)  # (right, objects)
    for im in gt["images"]:
        image = Image.open(os.path.join(bench, im["file_name"])).convert("RGB")
        out = model(**queries, pixel_values=proc(images=image, return_tensors="pt")["pixel_values"])
        logits, boxes = out.logits[0], out.pred_boxes[0]
        W, H = im["width"], im["height"]
        for a in (a for a in gt["annotations"] if a["image_id"] == im["id"]):
            x, y, w, h = a["bbox"]
            p = min(size - 1, int((y + h / 2) / H * size)) * size + min(size - 1, int((x + w / 2) / W * size))
            pred = cats[int(logits[p].argmax())]["id"]
            cx, cy, bw, bh = boxes[p].tolist()
            box = [(cx - bw / 2) * W, (cy - bh / 2) * H, (cx + bw / 2) * W, (cy + bh / 2) * H]
            iou = float(iou_xyxy(np.array(box), np.array([[x, y, x + w, y + h]]))[0])
            row = (pred == a["category_id"], colour_of[pred] == colour_of[a["category_id"]],
                   shape_of[pred] == shape_of[a["category_id"]], iou)
            true = shapes.index(shape_of[a["category_id"]])
            confusion[true, shapes.index(shape_of[pred])] += 1
            b = int(np.searchsorted(bins, max(w / W, h / H) * size, side="right")) - 1
            by_size[b, true] += (int(row[2]), 1)
            for name, ids in halves.items():
                if im["id"] in ids:
                    rows[name].append(row)
    for name, r in rows.items():
        r = np.array(r, dtype=np.float64)
        print(f"{name}: {len(r)} objects, centre patch class {r[:, 0].mean():.3f} colour {r[:, 1].mean():.3f} "
              f"shape {r[:, 2].mean():.3f}, box IoU mean {r[:, 3].mean():.3f} (>= 0.5: {(r[:, 3] >= 0.5).mean():.2f}, "
              f">= 0.75: {(r[:, 3] >= 0.75).mean():.2f})")
    print("shape confusion, all scenes (rows: the object's shape; columns: the centre patch's best query's)")
    print(" " * 9 + " ".join(f"{n[:8]:>8}" for n in shapes))
    for name, counts in zip(shapes, confusion):
        print(f"{name[:8]:9}" + " ".join(f"{c:8d}" for c in counts))
    print("shape right / objects by the object's longer side in patches (rows), all scenes")
    print(" " * 9 + " ".join(f"{n[:8]:>8}" for n in shapes))
    for k, lo in enumerate(bins):
        label = f"{lo}-{bins[k + 1]}" if k + 1 < len(bins) else f">={lo}"
        print(f"{label:9}" + " ".join(f"{f'{r}/{n}':>8}" for r, n in by_size[k]))


def nms_kept(raw, conf, nms_iou):
    """Per image: the patches at ``conf`` or above (boxes, scores, labels) and the indices per-class
    NMS keeps, best first. Computed once per (conf, NMS IoU); ``detections`` takes it from here."""
    kept = {}
    for image_id, (boxes, scores, labels) in raw.items():
        m = scores >= conf
        b, s, l = boxes[m], scores[m], labels[m]
        kept[image_id] = (b, s, l, nms_per_class(b, s, l, nms_iou))
    return kept


def detections(kept, cats, ratio=None, max_det=100, refine=None):
    """COCO results of ``nms_kept``'s boxes after, with a cross-class score ``ratio``,
    containment; best ``max_det`` per image; with ``refine`` (see ``box_refiner``) every kept box
    is refined."""
    dets = []
    for image_id, (b, s, l, keep) in kept.items():
        if ratio is not None:
            keep = containment(b, s, l, keep, ratio)
        for i in keep[:max_det]:
            x0, y0, x1, y1 = (b[i] if refine is None else refine(image_id, b[i])).tolist()
            dets.append({"image_id": image_id, "category_id": cats[int(l[i])]["id"],
                         "bbox": [x0, y0, x1 - x0, y1 - y0], "score": float(s[i])})
    return dets


def coco_ap(gt, dets, image_ids, cat_ids=None):
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval
    with contextlib.redirect_stdout(io.StringIO()):
        cg = COCO()
        cg.dataset = gt
        cg.createIndex()
        d = [x for x in dets if x["image_id"] in image_ids]
        if not d:
            return 0.0, 0.0, 0.0
        cd = cg.loadRes(d)
        ev = COCOeval(cg, cd, "bbox")
        ev.params.imgIds = sorted(image_ids)
        if cat_ids is not None:
            ev.params.catIds = sorted(cat_ids)
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return float(ev.stats[0]), float(ev.stats[1]), float(ev.stats[2])


def precision_recall(gt, dets, image_ids, conf):
    """Greedy matching by score at IoU 0.5, same class; returns precision, recall, boxes/object."""
    objs = [a for a in gt["annotations"] if a["image_id"] in image_ids]
    d = sorted((x for x in dets if x["image_id"] in image_ids and x["score"] >= conf), key=lambda x: -x["score"])
    used = set()
    tp = 0
    for x in d:
        bx = np.array(x["bbox"]); bx[2:] += bx[:2]
        best, best_iou = None, 0.5
        for a in objs:
            if a["id"] in used or a["image_id"] != x["image_id"] or a["category_id"] != x["category_id"]:
                continue
            g = np.array(a["bbox"], float); g[2:] += g[:2]
            v = iou_xyxy(bx, g[None])[0]
            if v >= best_iou:
                best, best_iou = a["id"], v
        if best is not None:
            used.add(best)
            tp += 1
    return tp / max(1, len(d)), tp / max(1, len(objs)), len(d) / max(1, len(objs))


def box_refiner(gt, bench, long_side):
    """(image id, box) -> ``refine_box`` on a ``long_side`` copy, each box refined once per run."""
    import cv2
    images = {im["id"]: cv2.imread(os.path.join(bench, im["file_name"]), cv2.IMREAD_COLOR) for im in gt["images"]}
    done = {}

    def refine(image_id, box):
        key = (image_id, tuple(np.asarray(box).tolist()))
        if key not in done:
            done[key] = np.asarray(refine_box(images[image_id], box, long_side=long_side), float)
        return done[key]
    return refine


def report(gt, raw, conf, nms_iou, ratio, halves, refine=None):
    held = [c["id"] for c in gt["categories"] if c.get("heldout")]
    dets = detections(nms_kept(raw, 0.01, nms_iou), gt["categories"], ratio, refine=refine)
    rows = {}
    for name, ids in halves.items():
        ap, ap50, ap75 = coco_ap(gt, dets, ids)
        _, h50, _ = coco_ap(gt, dets, ids, held)
        p, r, bpo = precision_recall(gt, dets, ids, conf)
        rows[name] = {"AP": ap, "AP50": ap50, "AP75": ap75, "heldout_AP50": h50,
                      "precision": p, "recall": r, "boxes_per_object": bpo}
    return rows


def choose(gt, raw, ids):
    """(F1, conf, NMS IoU, ratio or None, P, R, boxes/object) chosen on ``ids`` (see the docstring)."""
    rows = []
    for nms_iou in (0.3, 0.4, 0.5, 0.6, 0.7):
        kept = nms_kept(raw, 0.05, nms_iou)  # the lowest conf tried
        for ratio in (None,) + RATIOS:
            dets = detections(kept, gt["categories"], ratio)
            for conf in np.round(np.arange(0.05, 0.951, 0.05), 2):
                p, r, bpo = precision_recall(gt, dets, ids, conf)
                if bpo <= 1.2:
                    rows.append((2 * p * r / max(1e-9, p + r), float(conf), nms_iou, ratio, p, r, bpo))
    operating = [row for row in rows if row[4] >= 0.7]
    if operating:
        return max(operating, key=lambda row: (row[5], row[0]))
    return max(rows, key=lambda row: row[0])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", default=os.path.join(ROOT, "models", "shapes-owl"))
    p.add_argument("--bench", default=os.path.join(ROOT, "examples", "shapes-bench"))
    p.add_argument("--conf", type=float, help="default: the model's detection_defaults.json")
    p.add_argument("--nms-iou", type=float, help="default: the model's detection_defaults.json")
    p.add_argument("--containment", action=argparse.BooleanOptionalAction,
                   help="containment suppression after NMS; default: the model's detection_defaults.json")
    p.add_argument("--cross-class-ratio", type=float,
                   help="containment's cross-class score ratio, in (0, 1]; default: the model's detection_defaults.json")
    p.add_argument("--refine", action=argparse.BooleanOptionalAction,
                   help="refine the kept boxes (refine_box); default: the model's detection_defaults.json")
    p.add_argument("--refine-long-side", type=int, help="refinement's GrabCut copy, px; default: the model's detection_defaults.json")
    p.add_argument("--choose", action="store_true",
                   help="choose conf, NMS IoU and containment on the even half, then whether to refine (if it raises the even half's AP)")
    p.add_argument("--write-defaults", action="store_true", help="with --choose: write them to the model folder")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--json", help="also write the figures here")
    p.add_argument("--centre", action="store_true", help="only the centre-patch diagnostic (see above)")
    a = p.parse_args()
    defaults = model_defaults(a.model)
    images = json.load(open(os.path.join(a.bench, "annotations.json")))["images"]
    even = {im["id"] for k, im in enumerate(images) if k % 2 == 0}
    odd = {im["id"] for k, im in enumerate(images) if k % 2 == 1}
    if a.centre:
        return centre_patch(a.model, a.bench, a.threads, defaults["template"], {"even": even, "odd": odd})
    ensure_pycocotools()
    gt, raw, sec = raw_detections(a.model, a.bench, a.threads, defaults["template"])
    conf = defaults["confidence"] if a.conf is None else a.conf
    nms_iou = defaults["iou_threshold"] if a.nms_iou is None else a.nms_iou
    contain = defaults["containment"] if a.containment is None else a.containment
    ratio = (defaults["cross_class_score_ratio"] if a.cross_class_ratio is None else a.cross_class_ratio) if contain else None
    refine = defaults["refine"] if a.refine is None else a.refine
    long_side = defaults["refine_long_side"] if a.refine_long_side is None else a.refine_long_side
    refiner = box_refiner(gt, a.bench, long_side)
    if a.choose:
        f1, conf, nms_iou, ratio, pr, rc, bpo = choose(gt, raw, even)
        print(f"chosen on the even half: conf {conf} NMS IoU {nms_iou} containment "
              f"{'off' if ratio is None else f'on (cross-class score ratio {ratio})'} "
              f"(F1 {f1:.3f}, P {pr:.3f}, R {rc:.3f}, {bpo:.2f} boxes/object)")
        kept = nms_kept(raw, 0.01, nms_iou)
        plain, refined = (coco_ap(gt, detections(kept, gt["categories"], ratio, refine=r), even)[0]
                          for r in (None, refiner))
        refine = refined > plain
        print(f"refinement ({long_side} px) on the even half: AP {plain:.3f} without, {refined:.3f} with: {'on' if refine else 'off'}")
        if a.write_defaults:
            with open(os.path.join(a.model, DEFAULTS_FILE), "w") as f:
                chosen = {"template": defaults["template"], "confidence": conf, "iou_threshold": nms_iou,
                          "containment": ratio is not None}
                if ratio is not None and ratio != FALLBACK["cross_class_score_ratio"]:
                    chosen["cross_class_score_ratio"] = ratio
                chosen["refine"] = refine
                if refine and long_side != FALLBACK["refine_long_side"]:
                    chosen["refine_long_side"] = long_side
                json.dump({**chosen,
                           "chosen_by": "python3 tools/shapes/eval_owl.py --choose (on the even scenes of "
                                        "examples/shapes-bench: confidence, NMS IoU and containment with the highest "
                                        "recall at IoU 0.5 with precision >= 0.7 "
                                        "and <= 1.2 boxes per object; refinement if it raises their AP; "
                                        "refine_long_side as given by --refine-long-side)"},
                          f, indent=2)
                f.write("\n")
    rows = report(gt, raw, conf, nms_iou, ratio, {"even": even, "odd": odd, "all": even | odd}, refiner if refine else None)
    print(f"model {a.model}  conf {conf}  NMS IoU {nms_iou}  containment {'off' if ratio is None else f'on (ratio {ratio})'}  refine {f'on ({long_side} px)' if refine else 'off'}  "
          f"{sec:.3f} s/image (transformers, {a.threads} thread(s), median, without refinement)")
    print(f"{'half':5} {'AP':>6} {'AP50':>6} {'AP75':>6} {'heldAP50':>8} {'P':>6} {'R':>6} {'box/obj':>7}")
    for name, r in rows.items():
        print(f"{name:5} {r['AP']:6.3f} {r['AP50']:6.3f} {r['AP75']:6.3f} {r['heldout_AP50']:8.3f} "
              f"{r['precision']:6.3f} {r['recall']:6.3f} {r['boxes_per_object']:7.2f}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"conf": conf, "nms_iou": nms_iou, "cross_class_score_ratio": ratio, "refine": refine, "refine_long_side": long_side,
                       "seconds_per_image": sec, "halves": rows}, f, indent=2)


if __name__ == "__main__":
    main()
