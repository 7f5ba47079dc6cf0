#!/usr/bin/env bash
# Starts (or stops) the real backends the tests use, on loopback and non-default ports, with
# their data in a temporary directory:
#   Redis 16379, PostgreSQL 15432, NATS with JetStream 14222 (monitoring 18222).
#
#   scripts/services.sh start    # idempotent; prints the environment the tests read
#   scripts/services.sh stop
#
# Needs redis-server, postgresql and nats-server (scripts/test.sh installs them).
set -euo pipefail

state="${SWIFTLET_SERVICES_DIR:-/tmp/swiftlet-services}"
pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"

as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
    mkdir -p "$state/redis" "$state/nats" "$state/pg"
    # As root, PostgreSQL runs as the postgres user, which must be able to reach its data
    # directory: a `mktemp -d` parent is 0700 root.
    [ "$(id -u)" -ne 0 ] || chmod 755 "$state"
    if ! redis-cli -p 16379 ping >/dev/null 2>&1; then
        redis-server --bind 127.0.0.1 --port 16379 --save '' --appendonly no --dir "$state/redis" \
            --daemonize yes --pidfile "$state/redis/pid" --logfile "$state/redis/log" </dev/null >/dev/null 2>&1
    fi
    if ! curl -sf 'http://127.0.0.1:18222/healthz?js-enabled-only=true' >/dev/null 2>&1; then
        printf 'jetstream {\n  store_dir: "%s/js"\n  max_memory_store: 256MB\n  max_file_store: 1GB\n}\n' "$state/nats" > "$state/nats/nats.conf"
        # Detached from our stdout: callers read it through a pipe, which an inheriting
        # daemon would hold open forever.
        nats-server -c "$state/nats/nats.conf" -a 127.0.0.1 -p 14222 -m 18222 -P "$state/nats/pid" -l "$state/nats/log" \
            </dev/null >/dev/null 2>&1 &
        disown || true
    fi
    if ! pg_isready -h 127.0.0.1 -p 15432 >/dev/null 2>&1; then
        if [ ! -f "$state/pg/data/PG_VERSION" ]; then
            [ "$(id -u)" -ne 0 ] || chown -R postgres: "$state/pg"
            as_postgres "$pg_bin/initdb" -D "$state/pg/data" -A trust -U postgres --no-sync >/dev/null
        fi
        as_postgres "$pg_bin/pg_ctl" -D "$state/pg/data" -l "$state/pg/log" -w \
            -o "-p 15432 -k $state/pg -c listen_addresses=127.0.0.1 -c fsync=off" start </dev/null >/dev/null 2>&1
    fi
    for _ in $(seq 100); do
        if redis-cli -p 16379 ping >/dev/null 2>&1 \
            && curl -sf 'http://127.0.0.1:18222/healthz?js-enabled-only=true' >/dev/null 2>&1 \
            && pg_isready -h 127.0.0.1 -p 15432 >/dev/null 2>&1; then
            echo "SWIFTLET_TEST_REDIS=127.0.0.1:16379"
            echo "SWIFTLET_TEST_POSTGRES=host=127.0.0.1 port=15432 user=postgres database=postgres"
            echo "SWIFTLET_TEST_NATS=nats://127.0.0.1:14222"
            return 0
        fi
        sleep 0.1
    done
    echo "error: services did not come up; logs are in $state" >&2
    return 1
}

stop() {
    redis-cli -p 16379 shutdown nosave >/dev/null 2>&1 || true
    [ -f "$state/nats/pid" ] && nats-server --signal stop="$(cat "$state/nats/pid")" >/dev/null 2>&1 || true
    if [ -f "$state/pg/data/PG_VERSION" ]; then
        as_postgres "$pg_bin/pg_ctl" -D "$state/pg/data" -m fast stop >/dev/null 2>&1 || true
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
