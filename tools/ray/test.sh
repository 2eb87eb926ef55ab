#!/usr/bin/env bash
# The Ray end-to-end test (tools/ray/test_ray.py): makes a venv with ray[data] and pyarrow when it is
# missing (CLIPDETECT_RAY_VENV, default .build/ray-venv; PyPI), then runs the test against the
# release binary (CLIPDETECT_BINARY, default .build/release/clipdetect). Fails when it fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv="${CLIPDETECT_RAY_VENV:-.build/ray-venv}"
if ! "$venv/bin/python" -c "import ray.data, pyarrow" 2>/dev/null; then
    start=$(date +%s)
    # Debian's python3 has no venv/ensurepip without the python3-venv package.
    command -v python3 >/dev/null && python3 -c "import venv, ensurepip" 2>/dev/null || tools/install-deps.sh python3 python3-venv
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "ray[data]==2.60.0" "pyarrow==26.0.1"
    echo "ray venv: installed in $(( $(date +%s) - start )) s ($venv)" >&2
fi
start=$(date +%s)
"$venv/bin/python" tools/ray/test_ray.py
echo "ray test: $(( $(date +%s) - start )) s" >&2
