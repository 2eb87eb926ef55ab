#!/usr/bin/env python3
"""Reference speed: transformers' CLIPModel in fp32 on the CPU, same architecture and batch as
`clipdetect bench --config ARCH --batch N`, random weights (speed does not depend on values).

    python3 tools/bench_torch.py --config vit-b-32 --batch 32
Prints one JSON object like `clipdetect bench --json`.
"""
import argparse, json, os, time

import torch
import transformers
from transformers import CLIPConfig, CLIPModel

ARCH = {
    "vit-b-32": (dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12, image_size=224, patch_size=32),
                 dict(hidden_size=512, intermediate_size=2048, num_hidden_layers=12, num_attention_heads=8), 512),
    "vit-b-16": (dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12, image_size=224, patch_size=16),
                 dict(hidden_size=512, intermediate_size=2048, num_hidden_layers=12, num_attention_heads=8), 512),
    "vit-l-14": (dict(hidden_size=1024, intermediate_size=4096, num_hidden_layers=24, num_attention_heads=16, image_size=224, patch_size=14),
                 dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12), 768),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="vit-b-32", choices=sorted(ARCH))
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--iterations", type=int, default=4)
    args = ap.parse_args()
    v, t, proj = ARCH[args.config]
    cfg = CLIPConfig(vision_config=dict(v, hidden_act="quick_gelu"), text_config=dict(t, hidden_act="quick_gelu"), projection_dim=proj)
    model = CLIPModel(cfg).eval()
    pixels = torch.randn(args.batch, 3, v["image_size"], v["image_size"])
    ids = torch.randint(0, 49406, (args.batch, 9))
    ids[:, 0], ids[:, -1] = 49406, 49407
    with torch.inference_mode():
        model.get_image_features(pixel_values=pixels)
        t0 = time.perf_counter()
        for _ in range(args.iterations):
            model.get_image_features(pixel_values=pixels)
        img_s = time.perf_counter() - t0
        model.get_text_features(input_ids=ids)
        n_txt = max(args.iterations * 4, 8)
        t1 = time.perf_counter()
        for _ in range(n_txt):
            model.get_text_features(input_ids=ids)
        txt_s = time.perf_counter() - t1
    print(json.dumps({
        "engine": f"torch {torch.__version__} fp32, transformers {transformers.__version__}",
        "threads": torch.get_num_threads(), "batch": args.batch,
        "images_per_s": args.batch * args.iterations / img_s,
        "texts_per_s": args.batch * n_txt / txt_s,
    }))


if __name__ == "__main__":
    main()
