#!/usr/bin/env bash
# Speed of the Swift CLIP against transformers fp32 on this machine, same architecture, same run:
#   tools/bench_compare.sh [vit-b-32] [32]
# Needs torch + transformers from PyPI for the reference side only.
set -euo pipefail
cd "$(dirname "$0")/.."
arch=${1:-vit-b-32}; batch=${2:-32}
swift build -c release --product clipdetect >/dev/null
swift_json=$(.build/release/clipdetect bench --config "$arch" --batch "$batch" --json)
torch_json=$(python3 tools/bench_torch.py --config "$arch" --batch "$batch")
echo "swift: $swift_json"
echo "torch: $torch_json"
python3 - "$swift_json" "$torch_json" <<'PY'
import json, sys
s, t = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"images/s: swift {s['images_per_s']:.2f}, torch {t['images_per_s']:.2f}, ratio {s['images_per_s']/t['images_per_s']:.2f}x")
print(f"texts/s:  swift {s['texts_per_s']:.1f}, torch {t['texts_per_s']:.1f}, ratio {s['texts_per_s']/t['texts_per_s']:.2f}x")
print(f"swift peak RSS {s['peak_rss_mb']:.0f} MB")
PY
