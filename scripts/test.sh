#!/usr/bin/env bash
# Sets up everything and runs every test: unit (label `unit`) and end-to-end
# against a local moto_server (label `e2e`). Usage: scripts/test.sh [ctest args]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
passes=()
pass_start=$SECONDS
pass_done() {  # pass_done NAME: the time since the last one, printed at the end
  passes+=("$(printf '%-28s %4d s' "$1" $((SECONDS - pass_start)))")
  pass_start=$SECONDS
}
trap 'echo; echo "test.sh: pass durations:"; printf "  %s\n" "${passes[@]}"' EXIT
s3s_setup
s3s_install_clang
pass_done "setup"

# 0. House rules: formatting and the direction of includes (seconds).
scripts/check-style.sh
pass_done "style"

# 1. The release build (gcc, warnings as errors): every test.
s3s_build build -DS3SNAPSHOT_WERROR=ON
(cd build && ctest --output-on-failure --timeout 900 -j2 "$@")
pass_done "release (gcc)"

# 2. AddressSanitizer + UndefinedBehaviorSanitizer build (clang): the unit and
#    end-to-end tests again (leaks fail them), warnings as errors too, and a bounded run of each
#    libFuzzer target. The Lambda package and release artifacts are checked
#    on the release build only.
if [ "${S3SNAPSHOT_SKIP_SANITIZERS:-}" != 1 ]; then
  CC=clang CXX=clang++ s3s_build build-asan -DS3SNAPSHOT_WERROR=ON -DS3SNAPSHOT_SANITIZERS=ON -DS3SNAPSHOT_FUZZ=ON -DS3SNAPSHOT_PORTABLE=OFF
  (cd build-asan && ctest --output-on-failure --timeout 900 -j2 -L 'unit|e2e|fuzz' -E 'e2e_test_(lambda|release_artifacts|sam)' "$@")
  pass_done "asan+ubsan (clang)"
fi

# 3. arm64 (Graviton; Lambda arm64): cross-compiled with Debian's multiarch
#    toolchain (cmake/toolchain-aarch64-linux-gnu.cmake) and run under
#    qemu-aarch64-static: its unit tests, the seed's examples against moto,
#    the arm64 Lambda zip under an arm64 aws-lambda-rie, the arm64 .deb.
if [ "${S3SNAPSHOT_SKIP_ARM64:-}" != 1 ]; then
  s3s_install_arm64
  s3s_install_rie_arm64
  s3s_build build-arm64 -DS3SNAPSHOT_WERROR=ON -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64-linux-gnu.cmake
  (cd build-arm64 && ctest --output-on-failure --timeout 900 -j2 -L 'unit|arm64' "$@")
  pass_done "arm64 (qemu)"
fi
