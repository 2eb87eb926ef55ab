#!/usr/bin/env python3
"""OWL-ViT / OWLv2 speed: clipdetect against transformers on the same image, same run.

    python3 tools/bench_owl.py IMAGE [--config owlvit-b-32|owlv2-b-16] [--runs 5]
        [--clipdetect .build/release/clipdetect] [--threads 2] [--json]

Both sides use random weights of the real size (no download): clipdetect through
`clipdetect bench --config CONFIG --detect IMAGE --json`, transformers through
`OwlViTForObjectDetection(OwlViTConfig())` / `Owlv2ForObjectDetection` in fp32 with the PIL
image processor (`OwlViTImageProcessorPil`, `Owlv2ImageProcessorPil`), one text query. Each side
does one warm-up, then `--runs` timed passes of preprocessing + forward + post-processing;
the mean per image is reported, plus peak RSS of each side. Build clipdetect first:

    swift build -c release --product clipdetect
"""
import argparse, json, os, resource, subprocess, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("image")
ap.add_argument("--config", default="owlvit-b-32", choices=["owlvit-b-32", "owlv2-b-16"])
ap.add_argument("--runs", type=int, default=5)
ap.add_argument("--threads", type=int, default=os.cpu_count())
ap.add_argument("--clipdetect", default=".build/release/clipdetect")
ap.add_argument("--json", action="store_true")
args = ap.parse_args()


def swift_side():
    cmd = [args.clipdetect, "bench", "--config", args.config, "--detect", args.image, "--json",
           "--iterations", str(args.runs)]
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed: {out.stderr.strip()}")
    report = json.loads(out.stdout)
    report["wall_s"] = time.perf_counter() - t0
    report["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return report


def torch_side():
    import numpy as np
    import torch
    from PIL import Image
    from transformers import Owlv2Config, Owlv2ForObjectDetection, OwlViTConfig, OwlViTForObjectDetection
    from transformers.models.owlv2.image_processing_pil_owlv2 import Owlv2ImageProcessorPil
    from transformers.models.owlvit.image_processing_pil_owlvit import OwlViTImageProcessorPil

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    if args.config == "owlvit-b-32":
        model = OwlViTForObjectDetection(OwlViTConfig()).eval()
        processor = OwlViTImageProcessorPil(size={"height": 768, "width": 768})
    else:
        model = Owlv2ForObjectDetection(Owlv2Config(vision_config={"image_size": 960})).eval()
        processor = Owlv2ImageProcessorPil(size={"height": 960, "width": 960})
    image = np.asarray(Image.open(args.image).convert("RGB"))
    ids = torch.tensor([[49406, 2533, 49407] + [0] * 13])
    mask = (ids > 0).long()
    mask[0, 0] = 1

    def once():
        pv = processor(images=image, return_tensors="pt")["pixel_values"]
        with torch.inference_mode():
            out = model(input_ids=ids, attention_mask=mask, pixel_values=pv)
        processor.post_process_object_detection(out, threshold=0.1, target_sizes=[image.shape[:2]])

    once()
    t0 = time.perf_counter()
    for _ in range(args.runs):
        once()
    per_image = (time.perf_counter() - t0) / args.runs
    return {"per_image_s": per_image, "threads": args.threads, "torch": torch.__version__,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


swift = swift_side()
ref = torch_side()
swift_s = swift.get("per_image_s") or swift.get("total_s")
result = {"config": args.config, "image": args.image, "clipdetect_s": swift_s,
          "transformers_fp32_s": ref["per_image_s"], "speedup": ref["per_image_s"] / swift_s,
          "clipdetect_peak_rss_mb": swift["peak_rss_mb"], "transformers_peak_rss_mb": ref["peak_rss_mb"],
          "threads": ref["threads"], "torch": ref["torch"]}
if args.json:
    print(json.dumps(result, indent=1))
else:
    print(f"{args.config} on {args.image}: clipdetect {swift_s:.3f} s/image, transformers fp32 "
          f"{ref['per_image_s']:.3f} s/image ({result['speedup']:.2f}x); peak RSS "
          f"{swift['peak_rss_mb']:.0f} MB vs {ref['peak_rss_mb']:.0f} MB")
