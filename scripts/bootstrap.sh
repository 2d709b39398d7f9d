#!/usr/bin/env bash
# Installs whatever this machine is missing to run and test the project, and nothing twice:
# Debian packages (PostgreSQL, Redis, Chromium, poppler, fonts for PDFs), a Python 3.12 venv
# with the pinned requirements, and the front-end assets from npm. Safe to run on every start.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var/log var/stamps

log() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# --- Debian packages -----------------------------------------------------------------------
need=()
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
[ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] || need+=(postgresql)
command -v psql >/dev/null || need+=(postgresql-client)
command -v redis-server >/dev/null || need+=(redis-server)
command -v chromium >/dev/null || need+=(chromium)
command -v pdftotext >/dev/null || need+=(poppler-utils)
command -v npm >/dev/null || need+=(npm)
command -v systemd-analyze >/dev/null || need+=(systemd)  # the deploy/ units are checked by its parser in the tests
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0' || need+=(libpango-1.0-0 libpangoft2-1.0-0)
fc-list 2>/dev/null | grep -qi 'dejavu' || need+=(fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
  log "Installing Debian packages: ${need[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${need[@]}" >var/log/apt.log
fi

# --- Python 3.12 ---------------------------------------------------------------------------
find_python() {
  local candidates=("${PYTHON:-}")
  if command -v pyenv >/dev/null; then
    candidates+=("$(pyenv root)"/versions/3.12*/bin/python3.12)
  fi
  candidates+=("$HOME"/.pyenv/versions/3.12*/bin/python3.12 python3.12 /usr/local/bin/python3.12
               /usr/bin/python3.12 python3)
  for py in "${candidates[@]}"; do
    [ -n "$py" ] || continue
    if command -v "$py" >/dev/null 2>&1 &&
       "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
      command -v "$py"; return 0
    fi
  done
  return 1
}

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
  py=$(find_python) || { echo "Python 3.12 or newer is needed (set PYTHON=/path/to/python3.12)" >&2; exit 1; }
  log "Creating .venv with $py"
  rm -rf .venv
  "$py" -m venv .venv
  .venv/bin/pip install -q --upgrade pip >var/log/pip.log 2>&1 || { cat var/log/pip.log; exit 1; }
fi

req_hash=$(sha256sum requirements.txt | cut -c1-16)
if [ ! -f "var/stamps/pip-$req_hash" ]; then
  log "Installing Python requirements"
  .venv/bin/pip install -q -r requirements.txt >var/log/pip.log 2>&1 || { cat var/log/pip.log; exit 1; }
  rm -f var/stamps/pip-* && touch "var/stamps/pip-$req_hash"
fi

# --- Front-end assets (Bootstrap, icons, Chart.js) from npm, pinned by package-lock.json ---
lock_hash=$(sha256sum package-lock.json | cut -c1-16)
if [ ! -f "var/stamps/npm-$lock_hash" ] || [ ! -d node_modules/bootstrap ]; then
  log "Installing front-end assets"
  npm ci --no-audit --no-fund --loglevel=error >var/log/npm.log 2>&1 || { cat var/log/npm.log; exit 1; }
  rm -f var/stamps/npm-* && touch "var/stamps/npm-$lock_hash"
fi
