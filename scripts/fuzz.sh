#!/usr/bin/env bash
# Builds a libFuzzer target (Fuzz/<Target>) and runs it for a bounded time, starting from
# the committed seeds (Fuzz/Seeds/<Target>) and the corpus kept from earlier runs.
#
#   scripts/fuzz.sh                     # every target, 60 s each
#   scripts/fuzz.sh FuzzRESP 600        # one target, ten minutes
#   scripts/fuzz.sh FuzzRESP --repro FILE   # replay a crash file
#   scripts/fuzz.sh all 600 --asan      # with AddressSanitizer
#   scripts/fuzz.sh all 10 --debug      # a smoke run: unoptimized builds, minutes sooner
#
# Crash inputs land in .build-fuzz/artifacts/<Target>/; turn each into a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(FuzzManifest FuzzComponents FuzzCGI FuzzRESP FuzzNATS FuzzOCI FuzzCloudEvent FuzzDaprHTTP)
target="${1:-all}"
[ $# -gt 0 ] && shift
seconds=60
asan=0
config=release
repro=""
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
        --asan) asan=1 ;;
        --debug) config=debug ;;
        --repro) repro="$2"; shift ;;
        --) shift; extra=("$@"); break ;;
        [0-9]*) seconds="$1" ;;
        *) echo "usage: scripts/fuzz.sh [all|${targets[*]// /|}] [SECONDS] [--asan] [--debug] [--repro FILE]" >&2; exit 2 ;;
    esac
    shift
done

if [ "$asan" = 1 ]; then
    # SwiftPM hands each --sanitize to swiftc as its own flag and the driver keeps the last,
    # which would drop coverage; the combined flag at the end wins.
    scratch=.build-fuzz-asan
    sanitize=(--sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address)
else
    scratch=.build-fuzz
    sanitize=(--sanitize=fuzzer)
fi
# Swift's crash reporter would catch a trap first and exit before libFuzzer saves the input.
export SWIFT_BACKTRACE=enable=no

run() { # target
    local name="$1"
    # Always one product: a fuzzer build of every executable would break the others.
    swift build -c "$config" --product "$name" "${sanitize[@]}" --scratch-path "$scratch" >&2
    local binary="$scratch/$config/$name"
    if [ -n "$repro" ]; then
        exec "$binary" "$repro"
    fi
    local corpus="$scratch/corpus/$name" artifacts="$scratch/artifacts/$name"
    mkdir -p "$corpus" "$artifacts"
    echo "==> $name for ${seconds}s" >&2
    set +e
    "$binary" "$corpus" "Fuzz/Seeds/$name" -max_total_time="$seconds" -artifact_prefix="$artifacts/" \
        -print_final_stats=1 -timeout=10 -rss_limit_mb=4096 "${extra[@]}" 2>&1 | tee "$scratch/$name.log" | grep -E "^#[0-9]+.*DONE|stat::number_of_executed_units|stat::average_exec_per_sec|ERROR|SUMMARY|crash-|Test unit written" >&2
    local status=${PIPESTATUS[0]}
    set -e
    if ! grep -q "Loaded 1 modules" "$scratch/$name.log"; then
        echo "error: $name ran without coverage instrumentation" >&2
        return 1
    fi
    if [ "$status" -ne 0 ]; then
        echo "error: $name found a failure (exit $status); inputs in $artifacts/" >&2
        return "$status"
    fi
}

if [ "$target" = all ]; then
    failed=0
    for name in "${targets[@]}"; do run "$name" || failed=1; done
    exit "$failed"
fi
run "$target"
