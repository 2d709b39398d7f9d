#!/usr/bin/env bash
# Lint and migration drift: ruff, then makemigrations --check (needs the database up).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/ruff check .
source scripts/services.sh
trap stop_started_services EXIT
start_postgres
start_redis
ensure_secret_key
.venv/bin/python manage.py makemigrations --check --dry-run
