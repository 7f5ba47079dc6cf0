#!/usr/bin/env bash
# Installs Wasmtime's C library for Swiftlet's compiled engine tier, from the PyPI wheel of
# Wasmtime's Python bindings (which ships the whole C API as one shared library), pinned
# and verified by SHA-256. Swiftlet finds it without configuration at the default place.
#
#   scripts/install-wasmtime.sh            # -> ${XDG_DATA_HOME:-~/.local/share}/swiftlet/libwasmtime-50.0.1.so
#   scripts/install-wasmtime.sh DIR        # -> DIR/libwasmtime-50.0.1.so (then set SWIFTLET_WASMTIME_LIB)
#
# Needs python3 with pip (to download the wheel) and unzip or python3's zipfile.
set -euo pipefail

version=50.0.1
case "$(uname -s)-$(uname -m)" in
    Linux-x86_64)
        platform=manylinux1_x86_64
        wheel_sha256=cc14c3a17654e0394e0225b11813532ef0cd7bd1e222a0c5494cdedaabeddac4
        library=wasmtime/linux-x86_64/_libwasmtime.so
        library_sha256=3127ca42fe7cdd3f0a43a358e79177dcfedd46c1746329826403b9d854de6178
        ;;
    *)
        echo "error: no pinned Wasmtime $version wheel for $(uname -s)-$(uname -m); Swiftlet runs on WasmKit there" >&2
        exit 1
        ;;
esac

destination="${1:-${XDG_DATA_HOME:-$HOME/.local/share}/swiftlet}"
target="$destination/libwasmtime-$version.so"

sha256() { sha256sum "$1" | cut -d' ' -f1; }

if [ -f "$target" ] && [ "$(sha256 "$target")" = "$library_sha256" ]; then
    echo "$target"
    exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps --only-binary=:all: --platform "$platform" \
    --python-version 3.11 "wasmtime==$version" -d "$work" >&2
wheel="$(ls "$work"/wasmtime-"$version"-*.whl)"
if [ "$(sha256 "$wheel")" != "$wheel_sha256" ]; then
    echo "error: $(basename "$wheel") does not have the pinned SHA-256 $wheel_sha256" >&2
    exit 1
fi
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract(sys.argv[2], sys.argv[3])' "$wheel" "$library" "$work/x"
if [ "$(sha256 "$work/x/$library")" != "$library_sha256" ]; then
    echo "error: the library in the wheel does not have the pinned SHA-256 $library_sha256" >&2
    exit 1
fi
mkdir -p "$destination"
install -m 0644 "$work/x/$library" "$target.tmp"
mv "$target.tmp" "$target"
echo "$target"
