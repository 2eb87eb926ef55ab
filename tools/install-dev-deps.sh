#!/usr/bin/env bash
# Installs the Debian packages the development scripts read (no-op when they are present):
# opencv-doc, whose sample photos (/usr/share/doc/opencv-doc/examples/data) the shapes
# benchmark generator (tools/shapes/*), the parity check and the bench-image maker use.
# Uses sudo only when not root. The build itself needs only tools/install-deps.sh.
set -euo pipefail
exec "$(dirname "$0")/install-deps.sh" opencv-doc
