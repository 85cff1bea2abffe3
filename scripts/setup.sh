#!/usr/bin/env bash
# Installs what building and testing s3snapshot needs, idempotently and quietly
# when everything is already there. Sourced by scripts/test.sh and scripts/demo.sh.
set -euo pipefail

S3S_APT_PACKAGES=(cmake ninja-build g++ pkg-config libcurl4-openssl-dev libssl-dev
                  libpugixml-dev nlohmann-json3-dev libgtest-dev libgmock-dev zip unzip
                  ca-certificates binutils dpkg-dev file)
# For the tests only: the man page (man, groff), the completions (zsh) and
# the systemd units (systemd-analyze), the .deb (lintian).
S3S_APT_TEST_PACKAGES=(man-db groff-base systemd zsh lintian)
# arm64 (Graviton, Lambda arm64): Debian's multiarch cross toolchain and
# libraries, and qemu to run what it builds.
S3S_ARM64_PACKAGES=(crossbuild-essential-arm64 qemu-user-static libcurl4-openssl-dev:arm64 libssl-dev:arm64
                    libpugixml-dev:arm64 libgtest-dev:arm64 libgmock-dev:arm64)

# The Go tools the tests were run with, pinned: a fresh machine gets these
# versions, not whatever is newest. (The RIE publishes no module tags, so its
# pin is a pseudo-version of one commit.)
S3S_RIE_MODULE=github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie
S3S_RIE_VERSION=v0.0.0-20261030222936-bef5c4ba774d
S3S_TOXIPROXY_MODULE=github.com/Shopify/toxiproxy/v2/cmd/server
S3S_TOXIPROXY_VERSION=v2.5.0

s3s_as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs those of the given Debian packages that are missing.
s3s_apt_ensure() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    s3s_as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive s3s_as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

s3s_install_arm64() {
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    echo "setup: adding the arm64 architecture to dpkg"
    s3s_as_root dpkg --add-architecture arm64
  fi
  s3s_apt_ensure "${S3S_ARM64_PACKAGES[@]}"
}

s3s_install_apt() {
  s3s_apt_ensure "${S3S_APT_PACKAGES[@]}"
}

s3s_install_python() {
  local py=${PYTHON:-python3}
  if ! "$py" -c 'import boto3, pytest, moto, flask, flask_cors, cfnlint, jsonschema, prometheus_client' >/dev/null 2>&1 ||
    ! command -v moto_server >/dev/null 2>&1; then
    echo "setup: installing Python test packages (moto[server], boto3, pytest, cfn-lint, jsonschema, prometheus-client)"
    "$py" -m pip install -q "moto[server]>=5.1,<6" boto3 pytest cfn-lint jsonschema "prometheus-client>=0.20,<1"
    hash -r
  fi
}

# The same RIE built for arm64 (run under qemu by the arm64 Lambda test):
# go install puts a cross-built binary in GOPATH/bin/linux_arm64.
s3s_install_rie_arm64() {
  command -v go >/dev/null 2>&1 || s3s_apt_ensure golang-go
  local bin
  bin="$(go env GOPATH)/bin/linux_arm64/aws-lambda-rie"
  if ! s3s_go_tool_is "$bin" "$S3S_RIE_VERSION"; then
    echo "setup: installing aws-lambda-rie $S3S_RIE_VERSION for arm64 (GOARCH=arm64 go install)"
    GOBIN= GOOS=linux GOARCH=arm64 go install "$S3S_RIE_MODULE@$S3S_RIE_VERSION"
  fi
}

# Whether the Go binary $1 exists and was built from module version $2.
s3s_go_tool_is() {
  [ -x "$1" ] && go version -m "$1" 2>/dev/null | grep -q "[[:space:]]$2[[:space:]]"
}

# The AWS Lambda Runtime Interface Emulator, for the Lambda e2e tests.
s3s_install_rie() {
  local gobin
  command -v go >/dev/null 2>&1 || s3s_apt_ensure golang-go
  gobin=$(go env GOBIN)
  [ -n "$gobin" ] || gobin="$(go env GOPATH)/bin"
  export PATH="$PATH:$gobin"
  if ! s3s_go_tool_is "$gobin/aws-lambda-rie" "$S3S_RIE_VERSION"; then
    echo "setup: installing aws-lambda-rie $S3S_RIE_VERSION (go install)"
    GOBIN="$gobin" go install "$S3S_RIE_MODULE@$S3S_RIE_VERSION"
  fi
}

# clang and its runtimes, for the sanitizer build and the fuzzers;
# clang-format for the style check.
s3s_install_clang() {
  s3s_apt_ensure clang libclang-rt-14-dev clang-format
}

# toxiproxy, for the network-fault tests (its command is named `server`, so
# it goes into a folder of its own).
s3s_install_toxiproxy() {
  local bin="$HOME/.cache/s3snapshot/bin"
  if ! s3s_go_tool_is "$bin/server" "$S3S_TOXIPROXY_VERSION"; then
    echo "setup: installing toxiproxy $S3S_TOXIPROXY_VERSION (go install)"
    mkdir -p "$bin"
    GOBIN="$bin" go install "$S3S_TOXIPROXY_MODULE@$S3S_TOXIPROXY_VERSION"
  fi
}

# The AWS SAM CLI, for the deployment test (sam validate, sam package), in a
# virtual environment of its own: it pins its own boto3, Flask and
# jsonschema, which must not move moto's.
S3S_SAM_VERSION=1.170.0
s3s_install_sam() {
  local venv="$HOME/.cache/s3snapshot/sam-venv"
  if ! "$venv/bin/sam" --version 2>/dev/null | grep -qx "SAM CLI, version $S3S_SAM_VERSION"; then
    echo "setup: installing the AWS SAM CLI $S3S_SAM_VERSION (pip, in $venv)"
    rm -rf "$venv"
    "${PYTHON:-python3}" -m venv "$venv"
    "$venv/bin/pip" install -q "aws-sam-cli==$S3S_SAM_VERSION"
  fi
}

# What the demo needs: the build and moto.
s3s_setup_demo() {
  s3s_install_apt
  s3s_install_python
}

# What every test needs.
s3s_setup() {
  s3s_setup_demo
  s3s_apt_ensure "${S3S_APT_TEST_PACKAGES[@]}"
  s3s_install_rie
  s3s_install_toxiproxy
  s3s_install_sam
}

# Configures and builds into $1 (default: build) with the given CMake
# options. It always configures, so options given now apply even when an
# earlier command (demo.sh) made the folder with other ones; a cached option
# not given again keeps its value.
s3s_build() {
  local dir=${1:-build}
  shift || true
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$dir" -j"${S3S_JOBS:-$(nproc)}"
}

# The tool alone, quietly (the demo): no test binaries, one line of progress,
# the compiler's output only when the build fails.
s3s_build_tool() {
  local dir=${1:-build}
  shift || true
  mkdir -p "$dir"
  if [ ! -x "$dir/src/s3snapshot" ]; then
    echo "Building s3snapshot in $dir/ (the first build takes about 1.5 minutes on 2 cores; later ones seconds)..."
  fi
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >"$dir/build.log" 2>&1 &&
    cmake --build "$dir" --target s3snapshot -j"${S3S_JOBS:-$(nproc)}" >>"$dir/build.log" 2>&1 || {
    cat "$dir/build.log" >&2
    echo "setup: the build failed (its log is above and in $dir/build.log)" >&2
    return 1
  }
}
