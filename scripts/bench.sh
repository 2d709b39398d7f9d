#!/usr/bin/env bash
# `make bench`: every benchmark on the benchmark city (built first if the project database holds
# fewer accounts than BENCH_ACCOUNTS, default a million), results judged against the targets and
# written to bench/results/*.json and the table in bench/README.md. Not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
source scripts/services.sh
trap stop_started_services EXIT
start_postgres
start_redis
ensure_secret_key
export DJANGO_HTTPS=false DJANGO_ALLOW_DEMO=true
export DJANGO_ALLOWED_HOSTS=${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}
.venv/bin/python manage.py migrate --noinput >/dev/null
# the HTTP workloads serve pages through gunicorn with the manifest static storage, as make run does
.venv/bin/python manage.py collectstatic --noinput >/dev/null
.venv/bin/python bench/run_all.py --accounts "${BENCH_ACCOUNTS:-1000000}" "$@"
