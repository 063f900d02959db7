#!/usr/bin/env bash
# The Redis the cluster tests use, at 127.0.0.1:6379: left alone when it
# answers; otherwise started (no persistence: tests keep nothing in it) and
# waited for. Installs Debian's redis-server first where it is missing.
set -euo pipefail
HOST=127.0.0.1
PORT="${FEDREC_REDIS_PORT:-6379}"
ping() { redis-cli -h "$HOST" -p "$PORT" ping 2>/dev/null | grep -q PONG; }
if command -v redis-cli >/dev/null && ping; then
  echo "redis: answering at $HOST:$PORT ($(redis-cli -h "$HOST" -p "$PORT" info server | grep -m1 redis_version | tr -d '\r'))"
  exit 0
fi
if ! command -v redis-server >/dev/null; then
  run() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else echo "need root to run: $*" >&2; exit 1; fi; }
  export DEBIAN_FRONTEND=noninteractive
  run apt-get update -qq
  run apt-get install -y -qq redis-server >/dev/null
fi
redis-server --daemonize yes --bind "$HOST" --port "$PORT" --save "" --appendonly no
for _ in $(seq 100); do
  if ping; then
    echo "redis: started at $HOST:$PORT"
    exit 0
  fi
  sleep 0.1
done
echo "redis: started redis-server, but nothing answers at $HOST:$PORT after 10 s" >&2
exit 1
