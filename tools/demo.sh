#!/usr/bin/env bash
# The main job on the model the project ships, offline: installs the Debian packages it needs,
# builds a release binary and runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
swift build -c release --product clipdetect
if [ -f models/shapes-tiny/model.safetensors ]; then
    .build/release/clipdetect examples/scene.png --classes "red star,blue circle" --output scene_detections.png "$@"
else
    .build/release/clipdetect bench --config vit-b-32 --batch 32 "$@"
fi
