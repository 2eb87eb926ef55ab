#!/bin/sh
# Makes OUT/ with 1,000 JPEGs (cycling the 25 largest opencv-doc sample photos, 342–1282 px
# sides) in 10 subfolders, for timing `clipdetect index` against `clipdetect bench`.
set -e
OUT=${1:-/tmp/bench1000}
SRC=/usr/share/doc/opencv-doc/examples/data
[ -d "$SRC" ] || "$(dirname "$0")/install-dev-deps.sh"   # Debian's opencv-doc
rm -rf "$OUT"; mkdir -p "$OUT"
set -- $(ls -S "$SRC"/*.jpg | head -25)
n=0
while [ $n -lt 1000 ]; do
  for f in "$@"; do
    [ $n -ge 1000 ] && break
    d="$OUT/d$((n % 10))"; mkdir -p "$d"
    cp "$f" "$d/img_$(printf %04d $n).jpg"; n=$((n + 1))
  done
done
echo "$n images in $OUT"
