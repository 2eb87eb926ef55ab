"""How fast the detector's patch tokens learn an object's shape, and whether it carries over to scenes.

    python3 tools/shapes/patch_learning.py --mode crop   --minutes 10   # object-centred 48-px crops
    python3 tools/shapes/patch_learning.py --mode window --minutes 10   # 96-px scene windows (train_owl.py's)
    python3 tools/shapes/patch_learning.py --mode mix    --minutes 20   # half of the batches each
    python3 tools/shapes/patch_learning.py --mode window --local-head   # + a built-in neighbourhood head

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
with ``window``). ``--local-head`` turns head 0 of vision layer 0 into a fixed neighbourhood
average: 16 residual directions carry sines and cosines of 8 2-D frequencies of the patch's place
(taken out of the patch and position embeddings), and the head's query / key read only those, so
its attention is a sum of cosines of the offset, peaked at the patch itself (~0.8 of the mass
within 1.5 patches on whole scenes).

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
"""
import argparse
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_owl as T  # noqa: E402


def crop_batch(rng, nrng, n):
    """``n`` object-centred 48-px crops of whole scenes at the 256-px input's pixel scale."""
    pix, boxes, labels = [], [], []
    while len(pix) < n:
        img, b, lab, _ = T.make_scene(rng, nrng, 256, max_objects=10)
        for (bx, by, bw, bh), c in zip(b.tolist(), lab.tolist()):
            cx, cy, w, h = bx * 256, by * 256, bw * 256, bh * 256
            side = max(w, h) / rng.uniform(0.6, 0.87)
            cx += rng.uniform(-0.1, 0.1) * side
            cy += rng.uniform(-0.1, 0.1) * side
            crop, left, top, s = T.square_crop(img, cx, cy, side, 48)
            pix.append(crop)
            boxes.append(torch.tensor([[(bx * 256 - left) / s, (by * 256 - top) / s, w / s, h / s]]))
            labels.append(torch.tensor([c]))
    return T.to_tensor(pix[:n]), boxes[:n], labels[:n]


class Stream(torch.utils.data.IterableDataset):
    def __init__(self, mode):
        self.mode = mode

    def __iter__(self):
        rng, nrng = random.Random(11), np.random.default_rng(11)
        while True:
            if self.mode == "crop" or (self.mode == "mix" and rng.random() < 0.5):
                yield crop_batch(rng, nrng, 128)
            else:
                scenes = [T.make_scene(rng, nrng, 96, window=True) for _ in range(32)]
                yield T.to_tensor([s[0] for s in scenes]), [s[1] for s in scenes], [s[2] for s in scenes]


def local_head(model, layer=0, head=0, peak=16.0, mags=(0.45, 0.9), directions=4):
    """Makes ``head`` of vision ``layer`` a fixed neighbourhood average (see the docstring)."""
    vm = model.owlvit.vision_model
    table = vm.embeddings.position_embedding.weight
    grid = int(round(math.sqrt(table.shape[0] - 1)))
    t = torch.arange(grid, dtype=torch.float32)
    ys, xs = torch.meshgrid(t, t, indexing="ij")
    where = torch.stack([xs.reshape(-1), ys.reshape(-1)], 1)
    freqs = torch.tensor([[m * math.cos(math.pi * (k + (0.5 if i else 0)) / directions),
                           m * math.sin(math.pi * (k + (0.5 if i else 0)) / directions)]
                          for i, m in enumerate(mags) for k in range(directions)])
    angle = where @ freqs.T
    code = torch.cat([angle.cos(), angle.sin()], 1)  # (P, 16)
    dim = table.shape[1]
    m = torch.randn(dim, code.shape[1] + 1, generator=torch.Generator().manual_seed(0))
    m[:, 0] = 1.0  # directions orthogonal to the all-ones vector: layer norm's mean leaves them alone
    dirs = torch.linalg.qr(m)[0][:, 1:].T.contiguous()  # (16, D)
    off = torch.eye(dim) - dirs.T @ dirs
    with torch.no_grad():
        table[1:] = table[1:] @ off + code @ dirs
        table[0] = table[0] @ off
        w = vm.embeddings.patch_embedding.weight
        w.copy_((off @ w.reshape(w.shape[0], -1)).reshape(w.shape))
        vm.embeddings.class_embedding.copy_(vm.embeddings.class_embedding @ off)
    # the code's gain through pre_layrnorm and layer_norm1, measured on a few scenes
    rng, nrng = random.Random(3), np.random.default_rng(3)
    pix = T.to_tensor([T.make_scene(rng, nrng, 256, max_objects=10)[0] for _ in range(4)])
    seen = {}
    hook = vm.encoder.layers[layer].layer_norm1.register_forward_hook(lambda mod, i, o: seen.setdefault("z", o.detach()))
    with torch.no_grad():
        vm(pixel_values=pix)
    hook.remove()
    proj = seen["z"][:, 1:] @ dirs.T
    gain = float(((proj * code).sum((-1, -2)) / (code * code).sum()).mean())
    att = vm.encoder.layers[layer].self_attn
    hd = att.head_dim
    rows = slice(head * hd, (head + 1) * hd)
    a = peak / (hd ** -0.5 * gain * gain * (code.shape[1] / 2))  # logit at the patch itself ~ peak above the mean
    with torch.no_grad():
        for proj_ in (att.q_proj, att.k_proj):
            proj_.weight[rows] = 0
            proj_.bias[rows] = 0
        att.q_proj.weight[rows.start:rows.start + len(dirs)] = a * dirs
        att.k_proj.weight[rows.start:rows.start + len(dirs)] = dirs


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--mode", choices=["crop", "window", "mix"], default="window")
    p.add_argument("--minutes", type=float, default=10)
    p.add_argument("--lr-backbone", type=float, default=5e-4)
    p.add_argument("--local-head", action="store_true")
    p.add_argument("--init", default=os.path.join(T.ROOT, "models", "shapes-tiny"))
    p.add_argument("--threads", type=int, default=1, help="torch threads (the loader is one more process)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = T.build(a.init, 256)
    if a.local_head:
        local_head(model)
    shape_head, colour_head = torch.nn.Linear(128, 8), torch.nn.Linear(128, 10)
    backbone = [q for n, q in model.named_parameters() if n.startswith("owlvit.vision_model")]
    backbone += list(model.layer_norm.parameters())
    heads = list(shape_head.parameters()) + list(colour_head.parameters())
    opt = torch.optim.AdamW([{"params": backbone, "lr": a.lr_backbone}, {"params": heads, "lr": 3e-3}], weight_decay=0.01)
    loader = iter(torch.utils.data.DataLoader(Stream(a.mode), batch_size=None, num_workers=1, prefetch_factor=4,
                                              persistent_workers=True))
    rng, nrng = random.Random(999), np.random.default_rng(999)
    scenes = [T.make_scene(rng, nrng, 256, max_objects=10) for _ in range(24)]
    scene_pix = T.to_tensor([s[0] for s in scenes])

    def features(pix, offsets=None):
        with T.window_positions(model, offsets):
            fmap, _ = model.image_embedder(pixel_values=pix, interpolate_pos_encoding=pix.shape[-1] != 256)
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
        g = pix.shape[-1] // 8
        feats, g = features(pix, torch.randint(0, 32 - g + 1, (pix.shape[0], 2)))
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
