#!/usr/bin/env bash
# `make test`: the same setup as `make run`, then the whole suite on real PostgreSQL, Redis,
# Celery workers and Chromium. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
source scripts/services.sh
trap stop_started_services EXIT
# A Redis database of its own, so a `make run` worker on the same server never takes test tasks.
REDIS_DB=${REDIS_DB:-9}
start_postgres
start_redis
ensure_secret_key
export DJANGO_HTTPS=false DJANGO_ALLOW_DEMO=true DJANGO_ALLOW_ASYNC_UNSAFE=true
.venv/bin/python -m pytest "$@"
