"""Golden fixtures for NonMaxSuppression / Box: torchvision's CPU nms, batched_nms and box_iou.

Run (needs torch + torchvision; torchvision must NOT be installed where transformers fixtures
are made, so use a separate venv):
    /tmp/tvenv/bin/python make_nms_fixtures.py
Writes nms_cases.json and box_iou_cases.json beside this script. Deterministic (seeded).

Every number is float32, written as the shortest decimal that round-trips it (0.1 stands for
Float(0.1)) when parsing that decimal to float64 and rounding to float32 also gives it back;
otherwise as the exact float64 value of the float32. So a reader gets the exact float32 whether
it parses to Float directly or to Double first. NaN / inf are written as the strings "nan", "inf",
"-inf".

Besides the public `batched_nms` result, each case records the results of both of its internal
paths (`_batched_nms_coordinate_trick`, `_batched_nms_vanilla`), so both Swift paths are checked
on every case whatever its size.

Tie order. torchvision's CPU nms kernel sorts scores with `sort(stable=true, descending=true)`:
equal scores keep index order (asserted below on every case). `_batched_nms_vanilla` then re-sorts
its kept indices with Python's default `sort(descending=True)`, which is unstable: on CPU float32
it is libstdc++ std::sort (introsort) with torch's NaN-first comparator. `std_sort_order` below is
a step-by-step port; the script asserts it equals torch.sort on every case's scores and on the
vanilla path's final sort. The `sort_heapsort_*` cases use McIlroy's adversary so that final sort
reaches introsort's heapsort fallback with equal keys inside the heapsorted range.
"""
import json
import math
import os
import random

import numpy as np
import torch
import torchvision
from torchvision.ops import boxes as box_ops

HERE = os.path.dirname(os.path.abspath(__file__))
F32 = np.float32


# ---- model of torch.sort(descending=True, stable=False) on CPU (libstdc++ std::sort) ----------

def _before(a, b):
    return (math.isnan(a[0]) and not math.isnan(b[0])) or a[0] > b[0]


def std_sort_order(scores, stats=None):
    a = [(float(s), i) for i, s in enumerate(scores)]

    def median_to_first(r, x, y, z):
        if _before(a[x], a[y]):
            c = y if _before(a[y], a[z]) else (z if _before(a[x], a[z]) else x)
        elif _before(a[x], a[z]):
            c = x
        elif _before(a[y], a[z]):
            c = z
        else:
            c = y
        a[r], a[c] = a[c], a[r]

    def partition(first, last, pivot):
        while True:
            while _before(a[first], a[pivot]):
                first += 1
            last -= 1
            while _before(a[pivot], a[last]):
                last -= 1
            if not first < last:
                return first
            a[first], a[last] = a[last], a[first]
            first += 1

    def adjust_heap(base, hole, length, value):
        top = second = hole
        while second < (length - 1) // 2:
            second = 2 * (second + 1)
            if _before(a[base + second], a[base + second - 1]):
                second -= 1
            a[base + hole] = a[base + second]
            hole = second
        if length % 2 == 0 and second == (length - 2) // 2:
            second = 2 * (second + 1)
            a[base + hole] = a[base + second - 1]
            hole = second - 1
        parent = (hole - 1) // 2
        while hole > top and _before(a[base + parent], value):
            a[base + hole] = a[base + parent]
            hole = parent
            parent = (hole - 1) // 2
        a[base + hole] = value

    def heap_sort(first, last):
        if stats is not None:
            stats["heap"] = stats.get("heap", 0) + 1
            keys = [a[k][0] for k in range(first, last)]
            stats["heap_ties"] = stats.get("heap_ties", 0) + len(keys) - len(set(keys))
        length = last - first
        if length >= 2:
            parent = (length - 2) // 2
            while True:
                adjust_heap(first, parent, length, a[first + parent])
                if parent == 0:
                    break
                parent -= 1
        while last - first > 1:
            last -= 1
            value = a[last]
            a[last] = a[first]
            adjust_heap(first, 0, last - first, value)

    def introsort(first, last, depth):
        while last - first > 16:
            if depth == 0:
                heap_sort(first, last)
                return
            depth -= 1
            median_to_first(first, first + 1, first + (last - first) // 2, last - 1)
            cut = partition(first + 1, last, first)
            introsort(cut, last, depth)
            last = cut

    def linear_insert(last):
        val = a[last]
        while _before(val, a[last - 1]):
            a[last] = a[last - 1]
            last -= 1
        a[last] = val

    def insertion_sort(first, last):
        for i in range(first + 1, last):
            if _before(a[i], a[first]):
                val = a[i]
                a[first + 1:i + 1] = a[first:i]
                a[first] = val
            else:
                linear_insert(i)

    n = len(a)
    if n:
        introsort(0, n, 2 * (n.bit_length() - 1))
        if n > 16:
            insertion_sort(0, 16)
            for i in range(16, n):
                linear_insert(i)
        else:
            insertion_sort(0, n)
    return [i for _, i in a]


def median_of_three_killer(n):
    """McIlroy's adversary ("A Killer Adversary for Quicksort") run against std_sort_order's
    comparator: values frozen lazily so that every partition is as unbalanced as possible,
    which drives introsort into its heapsort fallback."""
    gas = n
    val = [gas] * n
    state = {"solid": 0, "candidate": 0}
    items = list(range(n))

    def cmp_lt(x, y):  # "x sorts before y" on item ids
        if val[x] == gas and val[y] == gas:
            if x == state["candidate"]:
                val[x] = state["solid"]
            else:
                val[y] = state["solid"]
            state["solid"] += 1
        if val[x] == gas:
            state["candidate"] = x
        elif val[y] == gas:
            state["candidate"] = y
        return val[x] < val[y]

    # Reuse std_sort_order's algorithm with an adaptive comparator.
    global _before
    saved = _before
    _before = lambda p, q: cmp_lt(p[1], q[1])
    try:
        std_sort_order(items)
    finally:
        _before = saved
    # Smaller val sorts first; scores sort descending, so negate.
    return [float(n - v) for v in val]


# ---- JSON helpers -----------------------------------------------------------------------------

def num(x):
    x = float(F32(x))
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    # The shortest decimal that round-trips the float32, if reading it as a float64 first and
    # then rounding to float32 gives the same float32 (no double-rounding); else the exact float64.
    short = float(str(F32(x)))
    return short if float(F32(short)) == x else x


def run_case(name, boxes, scores, class_ids, threshold, note=""):
    boxes = np.asarray(boxes, dtype=F32).reshape(-1, 4)
    scores = np.asarray(scores, dtype=F32).reshape(-1)
    class_ids = np.asarray(class_ids, dtype=np.int64).reshape(-1)
    tb, ts, ti = torch.from_numpy(boxes), torch.from_numpy(scores), torch.from_numpy(class_ids)
    keep = torchvision.ops.nms(tb, ts, threshold).tolist()
    batched = torchvision.ops.batched_nms(tb, ts, ti, threshold).tolist()
    trick = box_ops._batched_nms_coordinate_trick(tb, ts, ti, threshold).tolist()
    vanilla = box_ops._batched_nms_vanilla(tb, ts, ti, threshold).tolist()
    expected_path = vanilla if tb.numel() > 4000 else trick
    assert batched == expected_path, name
    ref_order = torch.sort(ts, descending=True)[1].tolist()
    assert std_sort_order(scores.tolist()) == ref_order, f"{name}: tie-order model disagrees"
    stable = torch.sort(ts, descending=True, stable=True)[1].tolist()
    kept_set = set(keep)
    assert keep == [i for i in stable if i in kept_set], f"{name}: nms is not in stable order"
    kept_mask = torch.zeros(len(scores), dtype=torch.bool)
    kept_mask[vanilla] = True
    kept_sorted = torch.where(kept_mask)[0]
    model = [int(kept_sorted[i]) for i in std_sort_order(ts[kept_sorted].tolist())]
    assert model == vanilla, f"{name}: per-class final sort model disagrees"
    return {
        "name": name,
        "note": note,
        "iou_threshold": threshold,
        "boxes": [num(v) for v in boxes.reshape(-1)],
        "scores": [num(v) for v in scores],
        "class_ids": class_ids.tolist(),
        "nms_keep": keep,
        "batched_keep": batched,
        "coordinate_trick_keep": trick,
        "per_class_keep": vanilla,
        "batched_path": "per_class" if tb.numel() > 4000 else "coordinate_trick",
    }


def random_boxes(rng, n, extent=500.0, min_size=1.0, max_size=120.0):
    x1 = rng.uniform(0, extent, n)
    y1 = rng.uniform(0, extent, n)
    w = rng.uniform(min_size, max_size, n)
    h = rng.uniform(min_size, max_size, n)
    return np.stack([x1, y1, x1 + w, y1 + h], axis=1).astype(F32)


def main():
    rng = np.random.default_rng(20240611)
    random.seed(20240611)
    torch.manual_seed(0)
    cases = []

    def add(*args, **kwargs):
        cases.append(run_case(*args, **kwargs))

    # Sizes: 0, 1, 2, small, and both sides of batched_nms' 1000-box (4000-number) switch.
    add("empty", np.zeros((0, 4)), [], [], 0.5)
    add("single", [[1, 2, 3, 4]], [0.5], [3], 0.5)
    add("two_overlapping", [[0, 0, 10, 10], [1, 1, 11, 11]], [0.4, 0.9], [0, 0], 0.5)
    add("two_overlapping_different_classes", [[0, 0, 10, 10], [1, 1, 11, 11]], [0.4, 0.9], [0, 1], 0.5)
    for n, thr in [(50, 0.5), (50, 0.3), (500, 0.7), (500, 0.5), (1000, 0.5), (1001, 0.5), (5000, 0.5)]:
        b = random_boxes(rng, n)
        s = rng.random(n).astype(F32)
        c = rng.integers(0, 5, n)
        add(f"random_{n}_thr{thr}", b, s, c, thr)
    for thr in [0.0, 0.3, 0.5, 0.7, 1.0]:
        b = random_boxes(rng, 200, extent=200.0)
        s = rng.random(200).astype(F32)
        c = rng.integers(0, 3, 200)
        add(f"dense_200_thr{thr}", b, s, c, thr, "crowded boxes, every threshold")

    # Exact score ties: the kept set and order depend on torch's std::sort tie placement.
    for n, levels, thr in [(20, 1, 0.5), (40, 2, 0.3), (300, 3, 0.5), (1200, 4, 0.5), (5000, 3, 0.7)]:
        b = random_boxes(rng, n, extent=300.0 if n < 1000 else 1500.0)
        s = (rng.integers(0, levels, n) / 4).astype(F32)
        c = rng.integers(0, 7, n)
        add(f"score_ties_{n}_levels{levels}", b, s, c, thr, "many equal scores")
    b = np.tile(np.array([[10, 10, 50, 50]], dtype=F32), (64, 1))
    add("identical_boxes_identical_scores", b, np.full(64, 0.5), np.arange(64) % 2, 0.5,
        "duplicates with equal scores: which one survives is the tie order")
    b = random_boxes(rng, 30)
    b = np.concatenate([b, b, b])
    add("duplicate_boxes", b, rng.random(90), rng.integers(0, 2, 90), 0.5)

    # Degenerate, zero-area, inverted, negative.
    add("degenerate_x1_eq_x2", [[5, 0, 5, 10], [5, 0, 5, 10], [0, 0, 10, 10], [5, 2, 5, 8]],
        [0.9, 0.8, 0.7, 0.6], [0, 0, 0, 0], 0.5, "zero width: 0/0 = NaN overlap never suppresses")
    add("zero_area_points", [[3, 3, 3, 3]] * 5 + [[0, 0, 6, 6]], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
        [0] * 6, 0.0, "points: overlap 0 with the big box, NaN among themselves")
    add("zero_area_threshold_negative", [[3, 3, 3, 3]] * 3 + [[0, 0, 6, 6], [100, 100, 110, 110]],
        [0.1, 0.2, 0.3, 0.4, 0.5], [0] * 5, -0.5, "threshold < 0: every finite overlap suppresses")
    inv = [[10, 10, 0, 0], [0, 0, 10, 10], [10, 0, 0, 10], [2, 2, 8, 8], [8, 8, 2, 2], [1, 1, 9, 9]]
    for thr in [0.0, 0.5]:
        add(f"inverted_boxes_thr{thr}", inv, [0.9, 0.8, 0.7, 0.6, 0.5, 0.4], [0, 0, 1, 0, 1, 0], thr,
            "inverted boxes: torchvision's signed areas")
    b = random_boxes(rng, 120, extent=200.0)
    swap = rng.random(120) < 0.3
    b[swap] = b[swap][:, [2, 3, 0, 1]]
    add("random_with_inverted", b, rng.random(120), rng.integers(0, 3, 120), 0.3)
    b = random_boxes(rng, 150, extent=200.0) - F32(150.0)
    add("negative_coordinates", b, rng.random(150), rng.integers(0, 4, 150), 0.5)
    b = random_boxes(rng, 150, extent=60.0, max_size=40.0) - F32(102.0)
    add("all_negative_coordinates_trick_mixes_classes", b, rng.random(150), rng.integers(0, 4, 150),
        0.3, "max coordinate < -1: coordinate-trick offsets do not separate classes")
    b = random_boxes(rng, 1100, extent=60.0, max_size=40.0) - F32(102.0)
    add("all_negative_coordinates_large", b, rng.random(1100), rng.integers(0, 4, 1100), 0.3)
    add("negative_class_ids", random_boxes(rng, 80, extent=100.0), rng.random(80),
        rng.integers(-3, 3, 80), 0.5)

    # Many classes / single class.
    add("many_classes_300", random_boxes(rng, 600, extent=150.0), rng.random(600),
        rng.integers(0, 150, 600), 0.4, "150 classes")
    add("many_classes_large", random_boxes(rng, 3000, extent=400.0), rng.random(3000),
        rng.integers(0, 120, 3000), 0.5, "120 classes, per-class path")
    add("single_class_large", random_boxes(rng, 1500, extent=400.0),
        (rng.integers(0, 50, 1500) / 7).astype(F32), np.zeros(1500), 0.5)
    add("large_class_ids", random_boxes(rng, 200, extent=100.0), rng.random(200),
        rng.integers(0, 3, 200) * 16777217 + 1, 0.5, "class ids not exact in Float")

    # Values not exactly representable; thresholds hit by an overlap that rounds to Float(t).
    dec = np.round(rng.uniform(0, 100, (200, 4)), 1)
    dec = np.concatenate([np.minimum(dec[:, :2], dec[:, 2:]), np.maximum(dec[:, :2], dec[:, 2:])], 1)
    add("decimal_coordinates", dec, np.round(rng.random(200), 2), rng.integers(0, 2, 200), 0.3)
    add("overlap_equals_float_0_3", [[0, 0, 6.5, 1], [3.5, 0, 10, 1]], [0.9, 0.8], [0, 0], 0.3,
        "overlap 3/10 rounds to Float(0.3) > Double 0.3: suppressed")
    add("overlap_equals_0_5_exactly", [[0, 0, 3, 1], [1, 0, 4, 1]], [0.9, 0.8], [0, 0], 0.5,
        "overlap exactly 0.5: not strictly greater, kept")
    add("overlap_equals_float_0_3_float_threshold", [[0, 0, 6.5, 1], [3.5, 0, 10, 1]], [0.9, 0.8], [0, 0],
        float(F32(0.3)), "threshold Float(0.3) widened: overlap Float(0.3) not greater, kept")
    add("touching_edges", [[0, 0, 10, 10], [10, 0, 20, 10], [0, 10, 10, 20]], [0.9, 0.8, 0.7],
        [0, 0, 0], 0.0, "shared edge: overlap 0, not > 0")

    # Special scores.
    s = rng.random(60).astype(F32)
    s[[3, 17, 40]] = np.nan
    s[[5, 6]] = np.inf
    s[[8]] = -np.inf
    add("nan_and_inf_scores", random_boxes(rng, 60, extent=80.0), s, rng.integers(0, 2, 60), 0.5,
        "NaN ranks first, then +inf")
    b = random_boxes(rng, 40, extent=80.0)
    b[7, 2] = np.nan
    add("nan_coordinate", b, rng.random(40), rng.integers(0, 3, 40), 0.5,
        "coordinate trick: NaN max poisons every box")

    # Introsort's heapsort fallback, reached by the per-class path's final (unstable) sort.
    # Disjoint boxes keep everything, so that sort sees the adversarial scores as they are.
    grid = np.array([[x * 10, y * 10, x * 10 + 5, y * 10 + 5] for y in range(30) for x in range(40)],
                    dtype=F32)
    tied = [float(math.floor(v / 2)) for v in median_of_three_killer(1200)]
    stats = {}
    std_sort_order(tied, stats)
    assert stats.get("heap_ties", 0) > 0, "tied killer sequence did not heapsort ties"
    add("sort_heapsort_fallback_disjoint", grid, tied, np.zeros(1200), 0.5,
        "per-class final sort goes through introsort's heapsort with ties")
    killer = median_of_three_killer(1100)
    tied = [float(math.floor(v / 2)) if v > 550 else v + 5000 for v in killer]
    add("adversarial_scores_overlapping", random_boxes(rng, 1100, extent=800.0), tied,
        rng.integers(0, 3, 1100), 0.5, "median-of-three killer scores with ties, 3 classes")

    differ = [c["name"] for c in cases if c["coordinate_trick_keep"] != c["per_class_keep"]]
    meta = {
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "numpy": np.__version__,
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "cases_where_batched_paths_differ": differ,
    }
    with open(os.path.join(HERE, "nms_cases.json"), "w") as f:
        json.dump({"meta": meta, "cases": cases}, f, separators=(",", ":"))

    # box_iou on pairs (well-formed boxes only: Box.iou documents where it departs).
    a = random_boxes(rng, 64, extent=100.0, min_size=0.1, max_size=60.0)
    b = random_boxes(rng, 64, extent=100.0, min_size=0.1, max_size=60.0)
    a[:8] = b[:8]
    iou = box_ops.box_iou(torch.from_numpy(a), torch.from_numpy(b)).diagonal()
    pairs = {"meta": meta | {"cases_where_batched_paths_differ": None},
             "a": [num(v) for v in a.reshape(-1)], "b": [num(v) for v in b.reshape(-1)],
             "iou": [num(v) for v in iou.tolist()]}
    with open(os.path.join(HERE, "box_iou_cases.json"), "w") as f:
        json.dump(pairs, f, separators=(",", ":"))
    print(len(cases), "cases; paths differ in:", differ)


if __name__ == "__main__":
    main()
