#!/bin/sh
# Builds {{name}}.wasm: a WASI reactor exporting swiftlet_handle.
# Needs clang and wasm-ld (Swift toolchain) and Debian's wasi-libc and libclang-rt-19-dev-wasm32.
set -e
cd "$(dirname "$0")"
clang --target=wasm32-wasi -isystem /usr/include/wasm32-wasi -I . -O2 -c main.c -o main.o
wasm-ld --no-entry -L/usr/lib/wasm32-wasi /usr/lib/wasm32-wasi/crt1-reactor.o main.o -lc \
    /usr/lib/llvm-19/lib/clang/19/lib/wasi/libclang_rt.builtins-wasm32.a --strip-debug -o {{name}}.wasm
rm -f main.o
