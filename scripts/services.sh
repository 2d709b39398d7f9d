#!/usr/bin/env bash
# Sourced by run.sh and test.sh. Starts a project-local PostgreSQL and Redis (data under ./var/,
# durable: fsync on, Redis append-only file) unless DATABASE_URL / REDIS_URL point elsewhere.
# Exports DATABASE_URL, REDIS_URL, DJANGO_SECRET_KEY. Records what it started in STARTED_SERVICES
# so the caller stops only those.

PG_PORT=${PG_PORT:-55432}
REDIS_PORT=${REDIS_PORT:-56379}
STARTED_SERVICES=()
ROOT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VAR="$ROOT_DIR/var"
mkdir -p "$VAR/log"

_pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

_as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_postgres() {
  if [ -n "${DATABASE_URL:-}" ]; then return 0; fi
  local bin data sock
  bin=$(_pg_bin); data="$VAR/pg/data"; sock="$VAR/pg/run"
  mkdir -p "$VAR/pg" "$sock"
  # initdb and postgres refuse to run as root: the cluster belongs to the postgres user.
  [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$VAR/pg"
  if [ ! -f "$data/PG_VERSION" ]; then
    echo "==> Creating PostgreSQL cluster in var/pg"
    _as_postgres "$bin/initdb" -D "$data" -U utility --auth=trust -E UTF8 --locale=C.UTF-8 >"$VAR/log/initdb.log"
    cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$sock'
max_connections = 200
shared_buffers = 1GB
work_mem = 32MB
maintenance_work_mem = 512MB
effective_cache_size = 8GB
max_wal_size = 4GB
# No replication from this local cluster: lets bulk loads into a table truncated in the same
# transaction skip WAL (the demo city loads in minutes). Commits stay durable (fsync on).
wal_level = minimal
max_wal_senders = 0
CONF
  fi
  if ! _as_postgres "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    echo "==> Starting PostgreSQL on 127.0.0.1:$PG_PORT"
    touch "$VAR/log/postgres.log"; [ "$(id -u)" -eq 0 ] && chown postgres "$VAR/log/postgres.log"
    _as_postgres "$bin/pg_ctl" -D "$data" -l "$VAR/log/postgres.log" -w -t 60 start >/dev/null
    STARTED_SERVICES+=(postgres)
  fi
  local db=${PG_DATABASE:-utility}
  if ! psql -h 127.0.0.1 -p "$PG_PORT" -U utility -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1; then
    psql -h 127.0.0.1 -p "$PG_PORT" -U utility -d postgres -qc "CREATE DATABASE $db" >/dev/null
  fi
  export DATABASE_URL="postgres://utility@127.0.0.1:$PG_PORT/$db"
}

start_redis() {
  if [ -n "${REDIS_URL:-}" ]; then return 0; fi
  mkdir -p "$VAR/redis"
  if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    echo "==> Starting Redis on 127.0.0.1:$REDIS_PORT"
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes \
      --dir "$VAR/redis" --pidfile "$VAR/redis/redis.pid" --logfile "$VAR/log/redis.log" \
      --appendonly yes --save "" >/dev/null
    for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
    STARTED_SERVICES+=(redis)
  fi
  export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/${REDIS_DB:-0}"
}

stop_started_services() {
  local s
  for s in "${STARTED_SERVICES[@]}"; do
    case $s in
      postgres) _as_postgres "$(_pg_bin)/pg_ctl" -D "$VAR/pg/data" -m fast stop >/dev/null 2>&1 || true ;;
      redis) redis-cli -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || true ;;
    esac
  done
  STARTED_SERVICES=()
}

ensure_secret_key() {
  if [ -z "${DJANGO_SECRET_KEY:-}" ]; then
    if [ ! -s "$VAR/secret_key" ]; then
      (umask 077; "$ROOT_DIR/.venv/bin/python" -c 'import secrets; print(secrets.token_urlsafe(50))' >"$VAR/secret_key")
    fi
    DJANGO_SECRET_KEY=$(cat "$VAR/secret_key")
    export DJANGO_SECRET_KEY
  fi
}
