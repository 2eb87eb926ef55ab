"""How fast the detector's patch tokens learn an object's shape, and whether it carries over to scenes.

    python3 tools/shapes/patch_learning.py --mode crop   --minutes 10   # object-centred 48-px crops
    python3 tools/shapes/patch_learning.py --mode window --minutes 10   # 96-px scene windows (train_owl.py's)
    python3 tools/shapes/patch_learning.py --mode mix    --minutes 20   # half of the batches each
    python3 tools/shapes/patch_learning.py --mode window --offset-heads 4 --threads 2   # train_owl.OffsetHeads
    python3 tools/shapes/patch_learning.py --mode window --image-size 512 --patch 16    # more pixels per patch
    python3 tools/shapes/patch_learning.py --mode window --offset-heads 4 --lr-backbone 1.5e-3 [--mlp-scale 2 | --image-size 384]

A diagnostic, not a training recipe: shapes-owl's vision tower (shapes-tiny's weights, 256-px
position table, as train_owl.py builds it) with two linear heads on its patch features, trained by
plain cross-entropy on the shape (8) and the colour (10) of the object whose centre region holds
the patch (``train_owl.centre_pairs``) -- the most direct signal there is, no text queries, no
matching. Every 25 steps it prints, on fresh training batches, the shape accuracy of the patch at
each object's centre, and the same on 24 fixed whole 256-px scenes at the benchmark's pixel scale
(2-10 objects): the transfer. Windows and crops get the position embeddings of a random window of
the full grid, so a patch has the embedding it would have in a whole scene.

``crop``: batches of 128 crops, one per object of a whole scene drawn at the input's pixel scale,
square, the object filling 60-87% of the side (as shapes-tiny's crops), centre jittered by 10%,
resized to 48 px (6 x 6 patches). ``window``: batches of 32 windows of 96 px (``train_owl.make_scene``
with ``window``). ``--local-head`` (commit f809285; ``--offset-heads`` replaced it) turned head 0
of vision layer 0 into a fixed neighbourhood average: 16 residual directions carried sines and
cosines of 8 2-D frequencies of the patch's place (taken out of the patch and position
embeddings), and the head's query / key read only those, so its attention was a sum of cosines of
the offset, peaked at the patch itself (~0.8 of the mass within 1.5 patches on whole scenes).

Measured 2026-11-29 (one torch thread each, two runs at a time; step: train centre shape / whole
scenes centre shape; chance 0.125):

| mode | objects seen | train | whole scenes |
|---|---|---|---|
| crop, 150 steps (6.3 min) | 19,200 | 0.68 | 0.15 |
| window, 200 steps (6.0 min) | 19,192 | 0.26 | 0.18 |
| window, 325 steps | 31,281 | 0.29 | 0.24 |
| window + ``--local-head``, 325 steps | 31,281 | 0.27 | 0.27 |
| window, 525 steps (19.4 min) | 50,700 | 0.34 | 0.27 |
| mix, 475 steps (19.9 min) | 53,422 | 0.56 | 0.28 |

The learning curve on windows, alone on the machine (``--mode window --minutes 45 --threads 2``,
2,750 steps; each figure the mean of the 5 reports nearest to that many objects):

| objects seen | 25 k | 50 k | 100 k | 150 k | 200 k | 250 k |
|---|---|---|---|---|---|---|
| minutes | 5.8 | 10.3 | 18.3 | 26.5 | 34.9 | 43.5 |
| train (windows) | 0.27 | 0.34 | 0.43 | 0.48 | 0.53 | 0.55 |
| whole scenes | 0.22 | 0.27 | 0.31 | 0.36 | 0.42 | 0.42 |

250 k objects is what shapes-tiny's class token needed to reach 0.85 on 48-px crops; the patch
tokens are at 0.55 / 0.42 there, and flattening.

(The whole-scene figure is ~150 objects: it moves by +-0.03 between neighbouring reports.) The
patch tokens learn the shape per object about as fast as shapes-tiny's class token did (its
80-way accuracy was 0.33 after 32 k crops) when the object fills the input, but nothing of that
reaches whole scenes; on windows they learn it ~3x slower, and what they learn transfers (0.42
on whole scenes after 250 k objects and 45 minutes, not 0.85). Half
crops, half windows transfers no better than windows alone, and a neighbourhood head built in did
not speed the windows up.

2026-11-30: ``--offset-heads N`` makes the first N vision layers convolution-like
(``train_owl.OffsetHeads``: every head of layer 0 reads one axis neighbour, of layer 1 one diagonal
neighbour, of layers 2 and 3 the same two patches out). ``--image-size 512 --patch 16`` keeps the
32 x 32 grid but gives each patch 4x the pixels (objects at twice the pixels, same patches per
object). Train / whole-scene centre shape, mean of the 5 reports nearest each count (the first
two rows alone on the machine, 2 threads; the P16 pair together, 1 thread each; the crop run
shared the machine with the second row's last 5 minutes; the offset heads then used one gain
for every layer, so layer 3's heads put ~0.85 of their attention on the planned patch, where
``OffsetHeads`` now calibrates each layer to ~1.0):

| run | 20 k objects | 30 k | 40 k | 50 k |
|---|---|---|---|---|
| window (the 45-minute run above; 25 k, 50 k) | 0.27 / 0.22 | | | 0.34 / 0.27 |
| window, ``--offset-heads 2`` | 0.26 / 0.28 | 0.30 / 0.28 | 0.34 / 0.31 | 0.37 / 0.35 |
| window, ``--offset-heads 4`` | 0.26 / 0.31 | 0.31 / 0.34 | 0.34 / 0.34 | |
| crop, ``--offset-heads 4`` | 0.54 / 0.31 | | | |
| window, 512 px, patch 16 | 0.23 / 0.23 | 0.26 / 0.24 | | |
| window, 512 px, patch 16, ``--offset-heads 2`` | 0.20 / 0.20 | 0.23 / 0.24 | | |

(whole scenes: +-0.04 between neighbouring reports.) Local, direction-aware attention makes what
the windows teach carry over to whole scenes (0.35 against 0.27 at 50 k objects) and lets crops
carry over at last (0.31 against 0.15), but it hardly speeds up the learning itself; more pixels
per patch does not help at all. ``train_owl.py --offset-heads 4`` is the recipe shipped since.

2026-11-30, later (another machine, ~3x the steps per minute of the runs above; shapes-tiny's crop
pipeline too ran twice as fast there): the backbone's learning rate with offset heads (``--mode
window --offset-heads 4 --threads 1``, two runs at a time; 3e-3 ran beside 1.5e-3's second half):

| ``--lr-backbone`` | 25 k objects | 50 k | 75 k | 100 k | 125 k | 150 k |
|---|---|---|---|---|---|---|
| 5e-4 (the default; the first offset-head run) | 0.31 / 0.35 | 0.41 / 0.46 | 0.47 / 0.53 | 0.51 / 0.55 | | |
| 1.5e-3 | 0.34 / 0.41 | 0.45 / 0.52 | 0.51 / 0.57 | 0.55 / 0.61 | 0.58 / 0.62 | 0.61 / 0.63 |
| 3e-3 | 0.23 / 0.29 | 0.38 / 0.42 | | | | |

(100 k objects: ~12.5 minutes per run.) Without offset heads a 4x faster backbone did not help
(train_owl.py's table, run E); with them 3x does, at every count, and 6x is too fast.

Then, with ``--lr-backbone 1.5e-3``, vision MLPs twice as wide (``--mlp-scale 2``: 1,024 units,
shapes-tiny's 512 kept, the new ones starting with zero output; ``train_owl.build``), 15 minutes,
the pair side by side (the narrow run repeated the row above to the digit):

| ``--mlp-scale`` | 25 k objects | 50 k | 75 k | at 5 min | 10 min | 14 min |
|---|---|---|---|---|---|---|
| 1 | 0.34 / 0.41 | 0.45 / 0.52 | 0.51 / 0.57 | 0.41 / 0.48 | 0.52 / 0.57 | 0.56 / 0.60 |
| 2 | 0.31 / 0.37 | 0.44 / 0.52 | 0.52 / 0.56 | 0.35 / 0.39 | 0.47 / 0.53 | 0.53 / 0.57 |

The same per object, and 1.45x slower per step, so worse per minute: the MLPs' width is not what
limits the shape, and train_owl.py has no option for it.

And the input size (``--image-size 384``, patch 8: a 48 x 48 grid, the objects 1.5x as many
pixels and patches across; windows stay 96 px, cut at that scale; whole scenes at 384), the same
pair of runs, ``--lr-backbone 1.5e-3``, 15 minutes:

| ``--image-size`` | 25 k objects | 50 k | 75 k | 100 k | at 5 min | 10 min | 14 min |
|---|---|---|---|---|---|---|---|
| 256 | 0.34 / 0.41 | 0.45 / 0.52 | 0.51 / 0.57 | 0.55 / 0.61 | 0.42 / 0.50 | 0.53 / 0.57 | 0.58 / 0.62 |
| 384 | 0.42 / 0.42 | 0.57 / 0.59 | 0.62 / 0.63 | 0.65 / 0.64 | 0.47 / 0.48 | 0.60 / 0.61 | 0.65 / 0.65 |

Better per object and, though a step costs 1.36x, per minute (+0.03 on whole scenes at 14
minutes): the shape is short of pixels (``eval_owl.py --centre``: small round shapes are the ones
missed), where 4x the pixels per patch at the same grid (512 / 16 above) was not. Not yet tried in
train_owl.py, because of the time per image: models saved after a few seconds of ``train_owl.py
--image-size S --offset-heads 4 --window-positions crop --minutes 0.1``, timed by ``clipdetect
eval`` over the 60 benchmark scenes beside shapes-owl (256 px) and the crop pipeline, twice:
320 px 3.8-4.2 s, 384 px 6.6-6.8 s, 256 px 2.1 s, crop pipeline 17.2-17.7 s. 384 px would take
1/2.6 of the crop pipeline's time and 320 px 1/4.3, where issue 14 asks for at most 1/5: a larger
input first needs a faster forward pass (unmeasured where the time goes; the offset heads'
attention is local, and the encoder computes it in full).
"""
import argparse
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_owl as T  # noqa: E402


def crop_batch(rng, nrng, n, full=256, side=48):
    """``n`` object-centred ``side``-px crops of whole scenes at the ``full``-px input's pixel scale."""
    pix, boxes, labels = [], [], []
    while len(pix) < n:
        img, b, lab, _ = T.make_scene(rng, nrng, full, max_objects=10, full=full)
        for (bx, by, bw, bh), c in zip(b.tolist(), lab.tolist()):
            cx, cy, w, h = bx * full, by * full, bw * full, bh * full
            around = max(w, h) / rng.uniform(0.6, 0.87)
            cx += rng.uniform(-0.1, 0.1) * around
            cy += rng.uniform(-0.1, 0.1) * around
            crop, left, top, s = T.square_crop(img, cx, cy, around, side)
            pix.append(crop)
            boxes.append(torch.tensor([[(bx * full - left) / s, (by * full - top) / s, w / s, h / s]]))
            labels.append(torch.tensor([c]))
    return T.to_tensor(pix[:n]), boxes[:n], labels[:n]


class Stream(torch.utils.data.IterableDataset):
    def __init__(self, mode, full=256, patch=8):
        self.mode, self.full, self.patch = mode, full, patch

    def __iter__(self):
        rng, nrng = random.Random(11), np.random.default_rng(11)
        k = self.patch // 8  # crops and windows keep their 6 x 6 and 12 x 12 patches with larger patches
        while True:
            if self.mode == "crop" or (self.mode == "mix" and rng.random() < 0.5):
                yield crop_batch(rng, nrng, 128, self.full, 48 * k)
            else:
                scenes = [T.make_scene(rng, nrng, 96 * k, window=True, full=self.full) for _ in range(32)]
                yield T.to_tensor([s[0] for s in scenes]), [s[1] for s in scenes], [s[2] for s in scenes]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--mode", choices=["crop", "window", "mix"], default="window")
    p.add_argument("--minutes", type=float, default=10)
    p.add_argument("--lr-backbone", type=float, default=5e-4)
    p.add_argument("--offset-heads", type=int, default=0, help="the first N vision layers as train_owl.OffsetHeads (train_owl.offset_plan)")
    p.add_argument("--image-size", type=int, default=256)
    p.add_argument("--patch", type=int, default=8, help="patch side (a multiple of shapes-tiny's 8; see train_owl.build)")
    p.add_argument("--mlp-scale", type=int, default=1, help="vision MLPs this many times wider (train_owl.build)")
    p.add_argument("--init", default=os.path.join(T.ROOT, "models", "shapes-tiny"))
    p.add_argument("--threads", type=int, default=1, help="torch threads (the loader is one more process)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = T.build(a.init, a.image_size, patch=a.patch, mlp_scale=a.mlp_scale)
    fixed = T.OffsetHeads(model, T.offset_plan(a.offset_heads)) if a.offset_heads else None
    shape_head, colour_head = torch.nn.Linear(128, 8), torch.nn.Linear(128, 10)
    backbone = [q for n, q in model.named_parameters() if n.startswith("owlvit.vision_model")]
    backbone += list(model.layer_norm.parameters())
    heads = list(shape_head.parameters()) + list(colour_head.parameters())
    opt = torch.optim.AdamW([{"params": backbone, "lr": a.lr_backbone}, {"params": heads, "lr": 3e-3}], weight_decay=0.01)
    loader = iter(torch.utils.data.DataLoader(Stream(a.mode, a.image_size, a.patch), batch_size=None, num_workers=1, prefetch_factor=4,
                                              persistent_workers=True))
    rng, nrng = random.Random(999), np.random.default_rng(999)
    scenes = [T.make_scene(rng, nrng, a.image_size, max_objects=10, full=a.image_size) for _ in range(24)]
    scene_pix = T.to_tensor([s[0] for s in scenes])

    def features(pix, offsets=None):
        with T.window_positions(model, offsets):
            fmap, _ = model.image_embedder(pixel_values=pix, interpolate_pos_encoding=pix.shape[-1] != a.image_size)
        b, h, w, d = fmap.shape
        return fmap.reshape(b, h * w, d), h

    def centre_shape(feats, g, boxes, labels):
        ok = n = 0
        for i in range(len(boxes)):
            if len(labels[i]) == 0:
                continue
            b = boxes[i]
            at = (b[:, 1] * g).long().clamp(0, g - 1) * g + (b[:, 0] * g).long().clamp(0, g - 1)
            ok += (shape_head(feats[i, at]).argmax(1) == labels[i] % 8).sum().item()
            n += len(at)
        return ok / max(n, 1)

    start, step, ema, seen = time.time(), 0, None, 0
    while time.time() - start < a.minutes * 60:
        pix, boxes, labels = next(loader)
        g = pix.shape[-1] // a.patch
        feats, g = features(pix, torch.randint(0, a.image_size // a.patch - g + 1, (pix.shape[0], 2)))
        xs, shapes, colours = [], [], []
        for i in range(len(boxes)):
            if len(labels[i]) == 0:
                continue
            rows, which = T.centre_pairs(boxes[i].clamp(0, 1), g)
            lab = labels[i][which]
            xs.append(feats[i, rows])
            shapes.append(lab % 8)
            colours.append(lab // 8)
            seen += len(labels[i])
        x = torch.cat(xs)
        loss = F.cross_entropy(shape_head(x), torch.cat(shapes)) + F.cross_entropy(colour_head(x), torch.cat(colours))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if fixed is not None:
            fixed.constrain(calibrate=step % 100 == 99)
        step += 1
        with torch.no_grad():
            acc = centre_shape(feats, g, boxes, labels)
        ema = acc if ema is None else 0.95 * ema + 0.05 * acc
        if step % 25 == 0:
            with torch.no_grad():
                f2, g2 = features(scene_pix)
                whole = centre_shape(f2, g2, [s[1] for s in scenes], [s[2] for s in scenes])
            print(f"step {step} {(time.time() - start) / 60:.1f} min, {seen} objects, loss {loss.item():.3f}: "
                  f"centre shape on training batches {ema:.3f}, on whole scenes {whole:.3f}", flush=True)


if __name__ == "__main__":
    main()
