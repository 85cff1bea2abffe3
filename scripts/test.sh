#!/usr/bin/env bash
# Sets up everything and runs every test: unit (label `unit`) and end-to-end
# against a local moto_server (label `e2e`). Usage: scripts/test.sh [ctest args]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
s3s_setup
s3s_build build -DS3SNAPSHOT_WERROR=ON
cd build
ctest --output-on-failure --timeout 900 -j2 "$@"
