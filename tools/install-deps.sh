#!/usr/bin/env bash
# Installs the Debian packages clipdetect builds against (no-op when they are present), or the
# packages named as arguments (tools/install-dev-deps.sh). Uses sudo only when not root.
# Labels: OpenCV contrib's freetype module (in libopencv-contrib-dev, a dependency of
# libopencv-dev) draws them, fontconfig finds the font, and fonts-wqy-microhei (1.6 MB download,
# Latin + CJK; fonts-noto-cjk would be 57 MB) covers Chinese, Japanese and Korean class names.
set -euo pipefail
pkgs=(libopenblas-dev libopencv-dev libopencv-contrib-dev libjpeg-dev libsqlite3-dev pkg-config
      libfontconfig-dev fontconfig fonts-wqy-microhei)
[ $# -eq 0 ] || pkgs=("$@")
missing=()
for p in "${pkgs[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y "${missing[@]}" || { $sudo apt-get update && $sudo apt-get install -y "${missing[@]}"; }
