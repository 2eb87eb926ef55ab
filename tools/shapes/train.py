"""Trains shapes-tiny, a small CLIP, on the synthetic world of world.py and saves a Hugging Face folder.

    nohup nice -n 19 python3 tools/shapes/train.py --out models/shapes-tiny --seed 1 > train.log 2>&1 &

Loss is CLIP's (symmetric cross-entropy over cosine similarities times a learned temperature,
logit_scale clamped at log(100)), with one change: crops of the same class (or two background
crops) in a batch are all positives of each other, so duplicates are never pushed apart as
false negatives. Texts are deduplicated per batch, so the target of an image is spread uniformly
over the distinct captions of its class, and the target of a caption over the images of its class.
Crops are generated on the fly in a DataLoader worker from a seeded stream, so a seed fixes the run.
"""
import argparse
import json
import math
import os
import random
import shutil
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from transformers import CLIPConfig, CLIPModel, CLIPTokenizerFast

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import world  # noqa: E402

CLIP_MEAN = np.array([0.48145466, 0.4578275, 0.40821073], np.float32)
CLIP_STD = np.array([0.26862954, 0.26130258, 0.27577711], np.float32)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VOCAB = os.path.join(ROOT, "models", "clip-vocab")


def to_tensor(images):
    """PIL images -> normalised float tensor (N, 3, H, W), exactly as CLIPImageProcessor would."""
    arr = np.stack([np.asarray(im, np.float32) / 255 for im in images])
    arr = (arr - CLIP_MEAN) / CLIP_STD
    return torch.from_numpy(arr.transpose(0, 3, 1, 2).copy())


def make_config(a):
    return CLIPConfig(
        text_config=dict(hidden_size=a.text_width, intermediate_size=4 * a.text_width,
                         num_hidden_layers=a.text_layers, num_attention_heads=a.text_width // 32,
                         max_position_embeddings=77, hidden_act="quick_gelu", vocab_size=49408,
                         projection_dim=a.projection_dim,
                         bos_token_id=49406, eos_token_id=49407, pad_token_id=49407),
        vision_config=dict(hidden_size=a.vision_width, intermediate_size=4 * a.vision_width,
                           num_hidden_layers=a.vision_layers, num_attention_heads=a.vision_width // 32,
                           image_size=a.image_size, patch_size=a.patch_size, hidden_act="quick_gelu",
                           projection_dim=a.projection_dim),
        projection_dim=a.projection_dim, logit_scale_init_value=math.log(1 / 0.07))


class CropStream(torch.utils.data.IterableDataset):
    """Endless batches (pixels, groups, captions) from one seeded generator."""

    def __init__(self, seed, batch, image_size, mix):
        self.seed, self.batch, self.image_size, self.mix = seed, batch, image_size, mix

    def __iter__(self):
        info = torch.utils.data.get_worker_info()
        wid = info.id if info else 0
        rng = random.Random(self.seed * 1009 + wid)
        nrng = np.random.default_rng(self.seed * 1009 + wid)
        seen = [world.CLASS_NAMES.index(n) for n in world.SEEN]
        kinds, weights = zip(*self.mix.items())
        while True:
            images, groups, captions = [], [], []
            for _ in range(self.batch):
                kind = rng.choices(kinds, weights)[0]
                cls = rng.choice(seen) if kind == "object" else None
                img, g, meta = world.make_crop(rng, nrng, kind, cls, self.image_size)
                images.append(img)
                groups.append(g)
                captions.append(world.object_caption(rng, g, meta) if kind == "object" else world.background_caption(rng))
            yield to_tensor(images), torch.tensor(groups), captions


def multi_positive_clip_loss(img, txt, img_groups, txt_groups, logit_scale):
    logits = logit_scale * img @ txt.t()  # (B, U)
    same = (img_groups[:, None] == txt_groups[None, :]).float()
    t_i = same / same.sum(1, keepdim=True)
    t_t = same.t() / same.t().sum(1, keepdim=True)
    li = -(t_i * F.log_softmax(logits, 1)).sum(1).mean()
    lt = -(t_t * F.log_softmax(logits.t(), 1)).sum(1).mean()
    return (li + lt) / 2


class TextCache:
    def __init__(self, tok):
        self.tok, self.cache = tok, {}

    def __call__(self, captions):
        rows = []
        for c in captions:
            if c not in self.cache:
                self.cache[c] = self.tok(c)["input_ids"]
            rows.append(self.cache[c])
        n = max(len(r) for r in rows)
        # Padding with <|endoftext|> is what CLIP's tokenizer does; pooling takes the first one.
        return torch.tensor([r + [49407] * (n - len(r)) for r in rows])


def features(out):
    return out.pooler_output if hasattr(out, "pooler_output") else out


@torch.no_grad()
def zero_shot(model, texts, pixels, labels, batch=256):
    """Accuracy of argmax over the 80 class prompts; returns predictions."""
    model.eval()
    t = F.normalize(features(model.get_text_features(input_ids=texts)), dim=-1)
    preds = []
    for i in range(0, len(pixels), batch):
        v = F.normalize(features(model.get_image_features(pixel_values=pixels[i:i + batch])), dim=-1)
        preds.append((v @ t.t()).argmax(1))
    model.train()
    return torch.cat(preds)


def val_set(seed, per_class, image_size):
    rng, nrng = random.Random(seed), np.random.default_rng(seed)
    imgs, labels = [], []
    for cls in range(len(world.CLASS_NAMES)):
        for _ in range(per_class):
            img, _, _ = world.make_crop(rng, nrng, "object", cls, image_size, neighbours=False,
                                        occlusion=False, fraction=rng.uniform(0.6, 0.87))
            imgs.append(img)
            labels.append(cls)
    return to_tensor(imgs), torch.tensor(labels)


def report(preds, labels):
    held = torch.tensor([world.CLASS_NAMES[i] in world.HELDOUT_SET for i in labels.tolist()])
    ok = preds == labels
    return ok[~held].float().mean().item(), ok[held].float().mean().item()


def save(model, a, out, meta):
    os.makedirs(out, exist_ok=True)
    half = CLIPModel(model.config)
    half.load_state_dict(model.state_dict())
    half = half.half()
    half.save_pretrained(out, safe_serialization=True)
    for f in ("vocab.json", "merges.txt"):
        shutil.copy(os.path.join(VOCAB, f), os.path.join(out, f))
    pre = {
        "crop_size": {"height": a.image_size, "width": a.image_size}, "do_center_crop": True,
        "do_convert_rgb": True, "do_normalize": True, "do_rescale": True, "do_resize": True,
        "image_mean": CLIP_MEAN.tolist(), "image_std": CLIP_STD.tolist(),
        "image_processor_type": "CLIPImageProcessor", "resample": 3, "rescale_factor": 1 / 255,
        "size": {"shortest_edge": a.image_size},
    }
    with open(os.path.join(out, "preprocessor_config.json"), "w") as f:
        json.dump(pre, f, indent=2)
    tok_cfg = {"tokenizer_class": "CLIPTokenizer", "model_max_length": 77, "bos_token": "<|startoftext|>",
               "eos_token": "<|endoftext|>", "pad_token": "<|endoftext|>", "unk_token": "<|endoftext|>"}
    with open(os.path.join(out, "tokenizer_config.json"), "w") as f:
        json.dump(tok_cfg, f, indent=2)
    with open(os.path.join(out, "training_log.json"), "w") as f:
        json.dump(meta, f, indent=2)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default=os.path.join(ROOT, "models", "shapes-tiny"))
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--steps", type=int, default=4000)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--warmup", type=int, default=200)
    p.add_argument("--weight-decay", type=float, default=0.05)
    p.add_argument("--image-size", type=int, default=48)
    p.add_argument("--patch-size", type=int, default=8)
    p.add_argument("--vision-width", type=int, default=128)
    p.add_argument("--vision-layers", type=int, default=4)
    p.add_argument("--text-width", type=int, default=128)
    p.add_argument("--text-layers", type=int, default=3)
    p.add_argument("--projection-dim", type=int, default=128)
    p.add_argument("--minutes", type=float, default=55,
                   help="time budget of the training loop: the cosine schedule runs on "
                        "max(step/steps, elapsed/minutes), so a slow (shared) machine still anneals")
    p.add_argument("--eval-every", type=int, default=250)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    tok = CLIPTokenizerFast.from_pretrained(VOCAB)
    assert tok("a photo of a cat.")["input_ids"] == [49406, 320, 1125, 539, 320, 2368, 269, 49407]
    texts = TextCache(tok)
    model = CLIPModel(make_config(a))
    nparams = sum(p.numel() for p in model.parameters())
    print(f"params {nparams / 1e6:.2f}M  fp16 {nparams * 2 / 1e6:.1f} MB", flush=True)

    decay = [p for n, p in model.named_parameters() if p.ndim >= 2 and "embedding" not in n]
    no_decay = [p for n, p in model.named_parameters() if not (p.ndim >= 2 and "embedding" not in n)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": a.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=a.lr, betas=(0.9, 0.98), eps=1e-6, fused=True)

    def progress(step):
        return max(step / a.steps, (time.time() - start) / (a.minutes * 60))

    def lr_at(step, p):
        if step < a.warmup:
            return a.lr * (step + 1) / a.warmup
        return a.lr * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * min(1.0, p))))

    mix = {"object": 0.8, "partial": 0.08, "background": 0.12}
    loader = torch.utils.data.DataLoader(CropStream(a.seed, a.batch, a.image_size, mix), batch_size=None,
                                         num_workers=1, prefetch_factor=4, persistent_workers=True)
    vpix, vlab = val_set(10_000 + a.seed, 6, a.image_size)
    class_ids = texts([f"a photo of a {n}." for n in world.CLASS_NAMES])
    history = []
    start = time.time()  # the budget counts the training loop, after the small setup above
    step = 0
    for pix, groups, captions in loader:
        prog = progress(step)
        if prog >= 1:
            break
        for g in opt.param_groups:
            g["lr"] = lr_at(step, prog)
        uniq = list(dict.fromkeys(captions))
        index = {c: i for i, c in enumerate(uniq)}
        tgroups = torch.zeros(len(uniq), dtype=torch.long)
        for c, g in zip(captions, groups.tolist()):
            tgroups[index[c]] = g
        img = F.normalize(features(model.get_image_features(pixel_values=pix)), dim=-1)
        txt = F.normalize(features(model.get_text_features(input_ids=texts(uniq))), dim=-1)
        scale = model.logit_scale.exp()
        loss = multi_positive_clip_loss(img, txt, groups, tgroups, scale)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        with torch.no_grad():
            model.logit_scale.clamp_(0, math.log(100))
        step += 1
        if step % 25 == 0:
            el = time.time() - start
            print(f"step {step} loss {loss.item():.3f} scale {scale.item():.1f} lr {lr_at(step, prog):.2e} "
                  f"{el / 60:.1f} min ({el / step:.2f} s/step)", flush=True)
        if step % a.eval_every == 0:
            s, h = report(zero_shot(model, class_ids, vpix, vlab), vlab)
            history.append({"step": step, "minutes": round((time.time() - start) / 60, 2), "seen": s, "heldout": h})
            print(f"EVAL step {step}: seen {s:.3f} heldout {h:.3f}", flush=True)
    minutes = (time.time() - start) / 60
    s, h = report(zero_shot(model, class_ids, vpix, vlab), vlab)
    print(f"FINAL step {step} {minutes:.1f} min: seen {s:.3f} heldout {h:.3f}", flush=True)
    meta = {"args": vars(a), "steps_done": step, "ended_by": "steps" if step >= a.steps else "time", "train_minutes": round(minutes, 2), "val_history": history,
            "val_final": {"seen": s, "heldout": h}, "torch": torch.__version__,
            "transformers": __import__("transformers").__version__, "command": " ".join(sys.argv)}
    save(model, a, a.out, meta)
    print(f"saved {a.out}", flush=True)


if __name__ == "__main__":
    main()
