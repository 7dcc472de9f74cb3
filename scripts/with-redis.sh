#!/usr/bin/env bash
# Run a command with a private redis-server on a loopback port, then stop it.
#
# The Redis-backed token store and rate limiter are tested against a real
# server, never skipped: on a fresh machine this installs Debian's
# redis-server (CI runs as root), starts it on 127.0.0.1 with no persistence,
# exports CLIQ_TEST_REDIS_URL for the tests, and always stops it afterwards.
set -euo pipefail

if ! command -v redis-server >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "with-redis: installing redis-server (Debian package)" >&2
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
    else
        echo "with-redis: redis-server is not installed; install it (e.g. apt-get install redis-server)" >&2
        exit 1
    fi
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
dir=$(mktemp -d)
redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir"
cleanup() {
    local status=$? pid
    if [ -f "$dir/redis.pid" ]; then
        pid=$(cat "$dir/redis.pid")
        kill "$pid" 2>/dev/null || true
        # redis-server writes its log and removes its pidfile while it exits: wait, or rm races it
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -rf "$dir" || echo "with-redis: could not remove $dir" >&2
    exit "$status"  # the command's status, whatever the cleanup met
}
trap cleanup EXIT
for _ in $(seq 50); do
    redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1 && break
    sleep 0.1
done
export CLIQ_TEST_REDIS_URL="redis://127.0.0.1:$port/0"
"$@"
