#!/usr/bin/env bash
# Runs the Dapr SDK suite: a venv with the unmodified official SDK (dapr==1.19.0), Flask and
# pytest, against the built swiftlet binary and guests, with Redis from scripts/services.sh.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${SWIFTLET_SDK_VENV:-$root/.build/dapr-sdk-venv}"
if [ ! -x "$venv/bin/pytest" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
fi
cd "$here"
set +e
"$venv/bin/pytest" -q -p no:cacheprovider "$@"
status=$?
set -e
# pytest exits 5 when it collected no tests: that is a broken suite, not a pass.
if [ "$status" -eq 5 ]; then
    echo "error: the Dapr SDK suite collected no tests" >&2
    exit 1
fi
exit "$status"
