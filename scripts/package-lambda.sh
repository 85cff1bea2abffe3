#!/usr/bin/env bash
# Builds dist/s3snapshot-X.Y.Z-lambda-x86_64.zip for the provided.al2023
# custom runtime: `bootstrap` (the s3snapshot binary itself, no shell wrapper)
# at the root and the non-glibc shared libraries it needs in lib/, then checks
# that nothing in it needs a glibc newer than 2.34.
# Usage: scripts/package-lambda.sh [BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
if [ ! -x "$build/src/s3snapshot" ]; then
  source scripts/setup.sh
  s3s_install_apt
  s3s_build "$build"
else
  cmake --build "$build" -j2 --target s3snapshot >/dev/null
fi
version=$("$build/src/s3snapshot" --version | awk '{print $2}')
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/lib" dist
cp "$build/src/s3snapshot" "$stage/bootstrap"
strip --strip-unneeded "$stage/bootstrap"
# glibc's own libraries and libgcc_s come from the runtime; everything else is bundled.
glibc='^(linux-vdso|ld-linux|libc|libm|libdl|libpthread|librt|libresolv|libutil|libanl|libnss_[a-z]+|libgcc_s)\.so'
ldd "$stage/bootstrap" | awk '/=> \//{print $1" "$3}' | while read -r name path; do
  if ! [[ "$name" =~ $glibc ]]; then
    cp -L "$path" "$stage/lib/$name"
    strip --strip-unneeded "$stage/lib/$name" 2>/dev/null || true
  fi
done
chmod 755 "$stage/bootstrap"
zip_path="dist/s3snapshot-$version-lambda-x86_64.zip"
rm -f "$zip_path"
(cd "$stage" && TZ=UTC find . -exec touch -h -d '2016-07-15 00:00:00' {} + && zip -q -r -X -y "$OLDPWD/$zip_path" bootstrap lib)
python3 scripts/check-lambda-package.py "$zip_path"
echo "$zip_path"
