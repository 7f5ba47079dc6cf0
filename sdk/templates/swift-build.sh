#!/bin/sh
# Builds {{name}}.wasm from main.swift and Swiftlet.swift with Embedded Swift, linked with
# wasi-libc for malloc. Needs the Swift toolchain and Debian's wasi-libc and
# libclang-rt-19-dev-wasm32.
set -e
cd "$(dirname "$0")"
swiftc -target wasm32-unknown-none-wasm -enable-experimental-feature Embedded \
    -enable-experimental-feature Extern -wmo -Osize -parse-as-library \
    -Xfrontend -disable-stack-protector main.swift Swiftlet.swift -c -o main.o
tables="$(dirname "$(dirname "$(command -v swiftc)")")/lib/swift/embedded/wasm32-unknown-none-wasm/libswiftUnicodeDataTables.a"
wasm-ld --no-entry -L/usr/lib/wasm32-wasi /usr/lib/wasm32-wasi/crt1-reactor.o main.o -lc \
    /usr/lib/llvm-19/lib/clang/19/lib/wasi/libclang_rt.builtins-wasm32.a "$tables" --strip-debug -o {{name}}.wasm
rm -f main.o
