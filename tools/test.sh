#!/usr/bin/env bash
# The whole test suite: installs the Debian packages it needs, builds, runs every test.
# Tests run on an optimised build (`-c release` with `-enable-testing` so `@testable import`
# works): the golden tests push real model passes and COCO evaluations through the code, which
# an unoptimised build runs 10–100× slower. (Package.swift carries no optimisation flags, so
# the libraries stay usable as a versioned dependency.)
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
flags=(-c release -Xswiftc -enable-testing)
swift build "${flags[@]}" --build-tests
swift test "${flags[@]}" --skip-build "$@"
# Fuzz regression (not the campaign): each libFuzzer target once over its committed seeds and
# regressions, under ASan. A clean build of the fuzz package takes 2–2.5 minutes; skipped when
# arguments select tests (e.g. --filter), or with CLIPDETECT_SKIP_FUZZ_REPLAY=1.
if [[ $# -eq 0 && -z "${CLIPDETECT_SKIP_FUZZ_REPLAY:-}" ]]; then
    tools/fuzz.sh --replay
fi
# The Ray cluster test (venv with ray + pyarrow from PyPI on first use) runs with the whole suite.
if [ $# -eq 0 ]; then tools/ray/test.sh; else echo "tools/ray/test.sh not run: filtered test run" >&2; fi
