#!/usr/bin/env bash
# `make run`: install what is missing, start PostgreSQL and Redis, migrate, load the demo city on
# the first run, then serve the web app (gunicorn), a Celery worker and beat until Ctrl-C. A web
# server, worker or beat that dies is restarted (scripts/supervise.sh); the others keep running.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
source scripts/services.sh
source scripts/supervise.sh
SUPERVISE_LOG=var/log/supervise.log

cleanup() {
  trap - INT TERM EXIT
  echo; echo "==> Stopping"
  supervise_stop
  stop_started_services
}
trap cleanup EXIT
trap 'exit 0' INT  # Ctrl-C is the normal way to stop
trap 'exit 143' TERM

start_postgres
start_redis
ensure_secret_key
# The local runner serves plain HTTP on loopback with a demo city: not production.
export DJANGO_HTTPS=${DJANGO_HTTPS:-false}
export DJANGO_ALLOW_DEMO=${DJANGO_ALLOW_DEMO:-true}
export DJANGO_ALLOWED_HOSTS=${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}

PY=.venv/bin/python
echo "==> Migrating"
$PY manage.py migrate --noinput >var/log/migrate.log
$PY manage.py collectstatic --noinput >var/log/collectstatic.log
$PY manage.py seed_demo --if-empty --accounts "${DEMO_ACCOUNTS:-5000}" --months "${DEMO_MONTHS:-24}"
# The dashboards' last 90 days, filled by a worker once it starts (a couple of minutes for the
# demo city) rather than here, which would double the time to a running system.
$PY manage.py reports_rollup --days 90 --if-empty --queue

PORT=${PORT:-8000}
supervise web var/log/gunicorn.log .venv/bin/gunicorn config.wsgi --bind "127.0.0.1:$PORT" \
  --workers "${WEB_WORKERS:-3}" --access-logfile var/log/access.log --error-logfile -
# One worker process a core: the long tasks (PDF parts, nightly chunks) are CPU-bound, so more
# processes than cores only time-share, and fewer leave cores idle. At least 2, so a short task
# (an email, a small job) never waits behind a long one on a one-core machine.
CORES=$(nproc 2>/dev/null || echo 2)
supervise worker var/log/celery-worker.log .venv/bin/celery -A config worker --loglevel=INFO \
  --concurrency "${WORKER_CONCURRENCY:-$((CORES > 2 ? CORES : 2))}" --hostname "worker@%h"
supervise beat var/log/celery-beat.log .venv/bin/celery -A config beat --loglevel=INFO \
  --schedule var/celerybeat-schedule

for _ in $(seq 100); do
  curl -fs -o /dev/null "http://127.0.0.1:$PORT/login/" && break
  sleep 0.2
done
cat <<TXT

  City Utilities is running at  http://127.0.0.1:$PORT/
  API docs:                     http://127.0.0.1:$PORT/api/docs/   health: /healthz

  Demo logins (password "demo"):  counselor  cashier  collector  supervisor  admin

  Logs in var/log/ (restarts in var/log/supervise.log). Press Ctrl-C to stop everything this
  command started.
TXT
supervise_loop
