"""Dashboard latency and the roll-up's duration on the city in the project database (run after
seed_city.py).

    .venv/bin/python bench/dashboards.py [--samples 50] [--backfill 90] [--skip-rollup]

1. The roll-up: `--backfill N` days first (what `manage.py reports_rollup --days N` does after an
   install), then the nightly run (the last REPORTS_ROLLUP_DAYS days), each timed.
2. Every registered dashboard through the full Django stack (middleware, session, permission,
   template) with a signed-in supervisor: the page with its default filters (the last 90 days by
   month) and by week, and the first drill-down page of its first figure; a warm-up request, then
   `--samples` timed ones. Reports p50/p95/max and the queries one request makes.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_HTTPS", "false")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from reports.dashboards import base  # noqa: E402
from reports.models import DailyFigure  # noqa: E402
from reports.rollup import rollup_days, rollup_recent  # noqa: E402


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(client: Client, url: str, params: dict[str, str], samples: int) -> tuple[list[float], int]:
    response = client.get(url, params)  # warm-up: connection, plan cache, templates
    assert response.status_code == 200, (url, response.status_code)
    seen: list[str] = []

    def count(execute, sql, params, many, context):  # Django's execute wrapper signature
        seen.append(sql)
        return execute(sql, params, many, context)

    # an execute wrapper, not CaptureQueriesContext: the request's connection handling (health
    # checks, CONN_MAX_AGE) left the captured log empty here
    with connection.execute_wrapper(count):
        client.get(url, params)
    times = []
    for _ in range(samples):
        t = time.perf_counter()
        response = client.get(url, params)
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times, len(seen)


def report(label: str, ms: list[float], queries: int) -> None:
    print(
        f"{label:<44} p50={statistics.median(ms):7.1f} ms  p95={pct(ms, 95):7.1f} ms"
        f"  max={max(ms):7.1f} ms  queries={queries}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--backfill", type=int, default=90, help="days rolled up before timing (0: none)")
    parser.add_argument("--skip-rollup", action="store_true", help="time the pages on the roll-up as it is")
    args = parser.parse_args()
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM accounts_account")
        n_accounts = cur.fetchone()[0]
    with open("/proc/loadavg") as f:
        load = f.read().split()[0]
    print(f"City: {n_accounts:,} accounts; load average {load} on {os.cpu_count()} CPUs\n")

    today = timezone.localdate()
    if not args.skip_rollup:
        if args.backfill:
            t = time.perf_counter()
            run = rollup_days(first=today - timedelta(days=args.backfill - 1), last=today)
            print(
                f"roll-up backfill, {args.backfill} days: {time.perf_counter() - t:7.1f} s  {run.rows:,} rows"
            )
        t = time.perf_counter()
        run = rollup_recent(days=settings.REPORTS_ROLLUP_DAYS)
        print(
            f"nightly roll-up, {settings.REPORTS_ROLLUP_DAYS} days: {time.perf_counter() - t:7.1f} s"
            f"  {run.rows:,} rows"
        )
    print(f"DailyFigure rows: {DailyFigure.objects.count():,}\n")

    user, _ = get_user_model().objects.get_or_create(username="bench-supervisor")
    user.groups.set([Group.objects.get(name="Supervisor")])
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    start = (today - timedelta(days=89)).isoformat()
    for dash in base.dashboards():
        url = reverse("reports:dashboard", args=[dash.slug])
        for grain in ("month", "week"):
            params = {"start": start, "end": today.isoformat(), "grain": grain}
            report(f"{dash.slug}: page, 90 days by {grain}", *timed(client, url, params, args.samples))
        first = dash.series[0]
        day = today.isoformat()
        drill = {
            "start": start,
            "end": day,
            "metric": first.metric,
            "key": first.key or "",
            "from": day if first.stock else start,
            "to": day,
        }
        label = f"{dash.slug}: drill-down '{first.label}', page 1"
        report(label, *timed(client, reverse("reports:drill", args=[dash.slug]), drill, args.samples))


if __name__ == "__main__":
    main()
