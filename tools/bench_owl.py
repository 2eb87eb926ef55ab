#!/usr/bin/env python3
"""OWL-ViT / OWLv2 speed: clipdetect against transformers on the same image, same run.

    python3 tools/bench_owl.py IMAGE [--config owlvit-b-32|owlv2-b-16] [--runs 3] [--rounds 3]
        [--clipdetect .build/release/clipdetect] [--threads 2] [--json]

Both sides use random weights of the real size (no download): clipdetect through
`clipdetect bench --config CONFIG --detect IMAGE --json`, transformers through
`OwlViTForObjectDetection(OwlViTConfig())` / `Owlv2ForObjectDetection` in fp32 with the PIL
image processor (`OwlViTImageProcessorPil`, `Owlv2ImageProcessorPil`), one text query. Each side
does one warm-up, then `--runs` timed passes of preprocessing + forward + post-processing (the
mean per image is that round's figure). What is timed differs a little, on purpose:
clipdetect's figure is what `clipdetect IMAGE` does by default — decode, preprocessing, the
forward pass, post-processing, NMS, and drawing plus JPEG-encoding the annotated image (its
`seconds` say how much each stage took; with random weights 100 labels are drawn); the text
queries are embedded once per run, as the CLI does. transformers' figure is preprocessing, the
forward pass (text tower included, 16 tokens) and `post_process_object_detection`, no drawing.
Neither side can beat ~0.88 s per image on the 2-core EPYC in fp32 (~115 GFLOP at the ~130
GFLOP/s any sgemm reaches there; see the README's OWL speed section). The two sides alternate for `--rounds` rounds, so a
machine shared with other jobs loads both alike; reported are the medians over rounds of each
side and of the per-round speed-up, plus peak RSS of each side. Build clipdetect first:

    swift build -c release --product clipdetect
"""
import argparse, json, os, resource, subprocess, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("image")
ap.add_argument("--config", default="owlvit-b-32", choices=["owlvit-b-32", "owlv2-b-16"])
ap.add_argument("--runs", type=int, default=3)
ap.add_argument("--rounds", type=int, default=3)
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
    return report


def torch_side():
    """Builds the transformers model once; returns a function timing one round."""
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

    def round_():
        once()
        t0 = time.perf_counter()
        for _ in range(args.runs):
            once()
        return (time.perf_counter() - t0) / args.runs

    return round_, torch.__version__


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if len(xs) % 2 else (xs[len(xs) // 2 - 1] + xs[len(xs) // 2]) / 2


# clipdetect's first round runs before torch is imported: Linux carries ru_maxrss across
# exec, so a clipdetect started from a Python holding the torch model would report that
# Python's size as its own peak RSS. Its peak RSS is taken from that first round.
first = swift_side()
torch_round, torch_version = torch_side()
swift_times, torch_times, swift_reports = [], [], []
for r in range(args.rounds):
    report = first if r == 0 else swift_side()
    swift_reports.append(report)
    swift_times.append(report.get("per_image_s") or report["total_s"])
    torch_times.append(torch_round())
    print(f"round {r + 1}: clipdetect {swift_times[-1]:.3f} s/image, transformers {torch_times[-1]:.3f} s/image",
          file=sys.stderr)
speedups = [t / s for s, t in zip(swift_times, torch_times)]
last = swift_reports[-1]
result = {"config": args.config, "image": args.image, "rounds": args.rounds, "runs": args.runs,
          "clipdetect_s": median(swift_times), "transformers_fp32_s": median(torch_times),
          "speedup": median(speedups), "clipdetect_rounds_s": swift_times, "transformers_rounds_s": torch_times,
          "encode_attention_share": last.get("encode_attention_share"),
          "encode_gemm_share": last.get("encode_gemm_share"),
          "clipdetect_peak_rss_mb": first["peak_rss_mb"],
          "transformers_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
          "threads": args.threads, "torch": torch_version, "load_average": os.getloadavg()[0]}
if args.json:
    print(json.dumps(result, indent=1))
else:
    print(f"{args.config} on {args.image}, median of {args.rounds} alternating rounds: clipdetect "
          f"{result['clipdetect_s']:.3f} s/image, transformers fp32 {result['transformers_fp32_s']:.3f} s/image "
          f"({result['speedup']:.2f}x); peak RSS {result['clipdetect_peak_rss_mb']:.0f} MB vs "
          f"{result['transformers_peak_rss_mb']:.0f} MB")
