#!/usr/bin/env bash
# Builds every Wasm guest in the repository from source: the examples (whose .wasm files
# are committed so the quick start needs no toolchain) and the test guests (guests/build/).
#
# Needs the Swift toolchain's clang and wasm-ld plus Debian's wasi-libc and
# libclang-rt-19-dev-wasm32 (`scripts/test.sh` installs them).
#
#   scripts/build-guests.sh            # everything
#   scripts/build-guests.sh examples   # only examples/
#   scripts/build-guests.sh tests      # only guests/
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
what="${1:-all}"
sysroot=/usr/lib/wasm32-wasi
include=/usr/include/wasm32-wasi
builtins=/usr/lib/llvm-19/lib/clang/19/lib/wasi/libclang_rt.builtins-wasm32.a
# Unicode tables for String comparison in Embedded Swift; the linker keeps only what is used.
swift_lib="$(dirname "$(dirname "$(command -v swiftc)")")/lib/swift/embedded/wasm32-unknown-none-wasm"

for needed in "$sysroot/libc.a" "$sysroot/crt1-command.o" "$builtins"; do
    if [ ! -e "$needed" ]; then
        echo "error: $needed is missing; install it with: apt-get install wasi-libc libclang-rt-19-dev-wasm32" >&2
        exit 1
    fi
done
for tool in clang wasm-ld swiftc; do
    command -v "$tool" >/dev/null || { echo "error: $tool not found (it ships with the Swift toolchain)" >&2; exit 1; }
done

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# C WASI command (a WAGI guest or anything `swiftlet run` runs).
c_command() { # source output
    clang --target=wasm32-wasi -isystem "$include" -I "$root/sdk/c" -O2 -c "$1" -o "$tmp/$(basename "$2").o"
    wasm-ld -L"$sysroot" "$sysroot/crt1-command.o" "$tmp/$(basename "$2").o" -lc "$builtins" \
        --strip-debug -o "$2"
}

# C handler: a WASI reactor exporting swiftlet_handle.
c_handler() { # source output
    clang --target=wasm32-wasi -isystem "$include" -I "$root/sdk/c" -O2 -c "$1" -o "$tmp/$(basename "$2").o"
    wasm-ld --no-entry -L"$sysroot" "$sysroot/crt1-reactor.o" "$tmp/$(basename "$2").o" -lc "$builtins" \
        --strip-debug -o "$2"
}

# Embedded Swift handler: the guest's sources plus the SDK, linked with wasi-libc for
# malloc and memcpy (no WASI imports result unless the guest uses them).
swift_handler() { # output sources...
    local output="$1"; shift
    swiftc -target wasm32-unknown-none-wasm -enable-experimental-feature Embedded \
        -enable-experimental-feature Extern -wmo -Osize -parse-as-library \
        -Xfrontend -disable-stack-protector \
        "$@" "$root/sdk/swift/Swiftlet.swift" -c -o "$tmp/$(basename "$output").o"
    wasm-ld --no-entry -L"$sysroot" "$sysroot/crt1-reactor.o" "$tmp/$(basename "$output").o" -lc "$builtins" \
        "$swift_lib/libswiftUnicodeDataTables.a" --strip-debug -o "$output"
}

if [ "$what" = all ] || [ "$what" = examples ]; then
    c_command "$root/examples/hello/hello.c" "$root/examples/hello/hello-c.wasm"
    swift_handler "$root/examples/hello/hello-swift.wasm" "$root/examples/hello/hello.swift"
    swift_handler "$root/examples/counter/counter-swift.wasm" "$root/examples/counter/counter.swift"
    c_handler "$root/examples/counter/counter.c" "$root/examples/counter/counter-c.wasm"
    c_handler "$root/examples/orders/orders.c" "$root/examples/orders/orders.wasm"
    swift_handler "$root/examples/cron/tick.wasm" "$root/examples/cron/tick.swift"
    swift_handler "$root/examples/agent/notes.wasm" "$root/examples/agent/notes.swift"
    c_handler "$root/examples/agent/fetch.c" "$root/examples/agent/fetch.wasm"
    echo "built examples"
fi

if [ "$what" = all ] || [ "$what" = tests ]; then
    out="$root/guests/build"
    mkdir -p "$out"
    for source in "$root"/guests/wagi/*.c; do
        c_command "$source" "$out/$(basename "${source%.c}").wasm"
    done
    # Compute benchmarks (also compiled natively by the benchmark, from the same source).
    for source in "$root"/guests/compute/*.c; do
        c_command "$source" "$out/$(basename "${source%.c}").wasm"
    done
    for source in "$root"/guests/handler/*.c; do
        c_handler "$source" "$out/$(basename "${source%.c}").wasm"
    done
    for source in "$root"/guests/swift/*.swift; do
        swift_handler "$out/$(basename "${source%.swift}").wasm" "$source"
    done
    echo "built test guests into guests/build"
fi
