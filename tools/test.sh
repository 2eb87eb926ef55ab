#!/usr/bin/env bash
# The whole test suite: installs the Debian packages it needs, builds, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
swift build --build-tests
swift test --skip-build "$@"
