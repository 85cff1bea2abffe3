#!/usr/bin/env bash
# Builds dist/s3snapshot-X.Y.Z-lambda-ARCH.zip for the provided.al2023
# custom runtime: `bootstrap` (the s3snapshot binary itself, no shell wrapper)
# at the root and the non-glibc shared libraries it needs in lib/, then checks
# that nothing in it needs a glibc newer than 2.34.
# Usage: scripts/package-lambda.sh [--arch x86_64|arm64] [BUILD_DIR]
#   (default: x86_64 from build; arm64 cross-compiled in build-arm64, see
#   cmake/toolchain-aarch64-linux-gnu.cmake)
set -euo pipefail
cd "$(dirname "$0")/.."
arch=x86_64
if [ "${1:-}" = "--arch" ]; then
  arch=${2:?--arch needs x86_64 or arm64}
  shift 2
fi
case "$arch" in
  x86_64) build=${1:-build}; run=(); strip=strip ;;
  arm64) build=${1:-build-arm64}; run=(qemu-aarch64-static); strip=aarch64-linux-gnu-strip ;;
  *) echo "package-lambda.sh: --arch must be x86_64 or arm64, not '$arch'" >&2; exit 2 ;;
esac
if [ ! -x "$build/src/s3snapshot" ]; then
  source scripts/setup.sh
  s3s_install_apt
  if [ "$arch" = arm64 ]; then
    s3s_install_arm64
    s3s_build "$build" -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64-linux-gnu.cmake -DS3SNAPSHOT_TESTS=OFF
  else
    s3s_build "$build"
  fi
else
  cmake --build "$build" -j2 --target s3snapshot >/dev/null
fi
version=$("${run[@]}" "$build/src/s3snapshot" --version | awk '{print $2}')
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/lib" dist
cp "$build/src/s3snapshot" "$stage/bootstrap"
$strip --strip-unneeded "$stage/bootstrap"
# glibc's own libraries and libgcc_s come from the runtime; everything else is bundled.
glibc='^(linux-vdso|ld-linux|libc|libm|libdl|libpthread|librt|libresolv|libutil|libanl|libnss_[a-z]+|libgcc_s)\.so'
# What the dynamic loader loads (for arm64, the target's loader under qemu).
if [ "$arch" = arm64 ]; then
  libs=$(LD_TRACE_LOADED_OBJECTS=1 "${run[@]}" "$stage/bootstrap")
else
  libs=$(ldd "$stage/bootstrap")
fi
echo "$libs" | awk '/=> \//{print $1" "$3}' | while read -r name path; do
  if ! [[ "$name" =~ $glibc ]]; then
    cp -L "$path" "$stage/lib/$name"
    $strip --strip-unneeded "$stage/lib/$name" 2>/dev/null || true
  fi
done
chmod 755 "$stage/bootstrap"
zip_path="dist/s3snapshot-$version-lambda-$arch.zip"
rm -f "$zip_path"
(cd "$stage" && TZ=UTC find . -exec touch -h -d '2016-07-15 00:00:00' {} + && zip -q -r -X -y "$OLDPWD/$zip_path" bootstrap lib)
python3 scripts/check-lambda-package.py "$zip_path"
# The name deploy/template.yaml's CodeUri gives: the zip packaged last.
cp "$zip_path" dist/s3snapshot-lambda.zip
echo "$zip_path"
echo "dist/s3snapshot-lambda.zip (for deploy/template.yaml: Architecture=$arch)" >&2
