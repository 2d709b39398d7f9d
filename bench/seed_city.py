"""Time `manage.py seed_demo` on the project database and report what it wrote.

    .venv/bin/python bench/seed_city.py [--accounts 1000000] [--months 24] [--seed 1] [--workers N]

REPLACES the demo city in the project database (not the test database): every customer,
account, bill and ledger entry there is truncated first. Starts the project-local PostgreSQL and
Redis the way `make run` does if they are not running.
"""

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TABLES = (
    "accounts_customer",
    "accounts_premise",
    "accounts_account",
    "accounts_service",
    "accounts_bill",
    "accounts_ledgerentry",
)


def services_env() -> dict[str, str]:
    """The environment `make run` gives manage.py (DATABASE_URL, REDIS_URL, secret key)."""
    script = (
        "source scripts/services.sh >/dev/null && start_postgres >/dev/null && start_redis >/dev/null"
        " && ensure_secret_key && env -0"
    )
    out = subprocess.run(["bash", "-c", script], cwd=ROOT, check=True, capture_output=True).stdout
    env = dict(line.split("=", 1) for line in out.decode().split("\0") if "=" in line)
    return {**env, "DJANGO_HTTPS": "false", "DJANGO_ALLOW_DEMO": "true"}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, help="passed to seed_demo (default: its own choice)")
    parser.add_argument("--json", help="write the results here (make bench)")
    args = parser.parse_args()

    env = services_env()
    print(f"WARNING: replacing the demo city in {env['DATABASE_URL']} with {args.accounts:,} accounts.")
    with open("/proc/loadavg") as f:
        print(f"load average before: {f.read().split()[0]} on {os.cpu_count()} CPUs")
    command = [
        sys.executable,
        "manage.py",
        "seed_demo",
        "--accounts",
        str(args.accounts),
        "--months",
        str(args.months),
        "--seed",
        str(args.seed),
    ]
    if args.workers:
        command += ["--workers", str(args.workers)]
    started = time.monotonic()
    city_s = None
    # seed_demo's own lines, passed through; "Demo city ready in N s" splits the city (customers
    # to ledger) from the demo extras loaded after it (counseling, collections, recovery)
    with subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True) as proc:
        for line in proc.stdout or ():
            print(line, end="", flush=True)
            if city_s is None and (ready := re.search(r"Demo city ready in (\d+)s", line)):
                city_s = float(ready.group(1))
    if proc.returncode:
        raise SystemExit(f"seed_demo failed ({proc.returncode})")
    elapsed = time.monotonic() - started

    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    print(f"\n{'table':<24}{'rows':>14}{'total size':>14}")
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(
                f"SELECT count(*), pg_size_pretty(pg_total_relation_size('{table}')) FROM {table}"  # noqa: S608
            )
            rows, size = cursor.fetchone()
            print(f"{table:<24}{rows:>14,}{size:>14}")
        cursor.execute(
            "SELECT pg_size_pretty(sum(pg_total_relation_size(t))) FROM unnest(%s::regclass[]) t",
            [list(TABLES)],
        )
        print(f"{'all six':<24}{'':>14}{cursor.fetchone()[0]:>14}")
    print(
        f"\nseed_demo --accounts {args.accounts} --months {args.months}: "
        f"{elapsed:.0f} s ({elapsed / 60:.1f} min)"
    )
    from bench.common import Results

    results = Results("seed_city")
    results.notes.update(accounts=args.accounts, months=args.months, total_s=round(elapsed, 1))
    if city_s is not None:
        results.add("building the city (customers to ledger)", [city_s], unit="s", target="median <= 900")
        results.add("demo extras after it (counseling, collections)", [elapsed - city_s], unit="s")
    results.write(args.json)


if __name__ == "__main__":
    main()
