#!/usr/bin/env bash
# The main job on the model the project ships, offline: installs the Debian packages it needs,
# builds a release binary, finds a red star and a blue circle in examples/scene.png with
# models/shapes-tiny and writes scene_detections.png.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
swift build -c release --product clipdetect
.build/release/clipdetect examples/scene.png --classes "red star,blue circle" --output scene_detections.png "$@"
