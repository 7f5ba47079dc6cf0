#!/usr/bin/env bash
# Runs the Python suites against the built `swiftlet` binary: tests/dapr-sdk (the unmodified
# official Dapr SDK, dapr==1.19.0, with Flask; needs Redis from scripts/services.sh) and
# tests/k8s (generated and shipped Kubernetes manifests through kubernetes-validate --strict,
# the SwiftletApp CRD's schema through jsonschema) and tests/observability (`/metrics` through
# prometheus_client's parser) and tests/mcp (the example agent's tools through the official MCP
# Python SDK, mcp==2.3.0, over stdio and streamable HTTP) and tests/conversation (Dapr's
# Conversation API in front of the real model that scripts/model-server.sh serves). One venv under .build/ holds the pinned requirements.
# Arguments go to pytest (default: every suite).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
venv="${SWIFTLET_PYTHON_VENV:-$root/.build/python-venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
export PATH="$venv/bin:$PATH"
cd "$here"
set +e
if [ $# -gt 0 ]; then
    pytest -q -p no:cacheprovider "$@"
else
    pytest -q -p no:cacheprovider dapr-sdk k8s observability mcp conversation
fi
status=$?
set -e
# pytest exits 5 when it collected no tests: that is a broken suite, not a pass.
if [ "$status" -eq 5 ]; then
    echo "error: the Python suites collected no tests" >&2
    exit 1
fi
exit "$status"
