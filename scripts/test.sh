#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what the tests need, rebuilds every
# Wasm guest from source, builds once, runs every test. `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

# 1. System packages: the wasm32 C library and compiler runtime guests link against.
packages=(wasi-libc libclang-rt-19-dev-wasm32)
missing=()
for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "==> installing ${missing[*]}"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# 2. Guests, rebuilt from source (the examples' committed .wasm files included).
echo "==> building Wasm guests"
scripts/build-guests.sh all

# 3. One build of everything (the CLI tests run the real `swiftlet` binary), then the tests.
echo "==> building"
swift build --build-tests
echo "==> testing"
swift test --skip-build "$@"
