"""Dashboard latency and the roll-up's duration on the city in the project database (run after
seed_city.py).

    .venv/bin/python bench/dashboards.py [--samples 50] [--backfill 90] [--aging-days all|last]
                                         [--fill-empty 5000] [--skip-rollup]

1. The roll-up: `--backfill N` days first (what `manage.py reports_rollup --days N` does after an
   install), then the nightly run (the last REPORTS_ROLLUP_DAYS days, the aging snapshot of its
   last day) and the 15-minute refresh of today (no aging replay), each timed.
   `--aging-days last` replays the ledger for today only (minutes at a million accounts) and
   copies today's aging rows to the backfill's other days: what a dashboard reads then has the
   row count of 90 real nights (one snapshot a night), with today's values; said in the output.
2. `--fill-empty N`: a metric the seeded city has no base records for (the seed loads no
   payments, drawers, contacts or arrangements) would be an empty, free read. Such metrics get N
   synthetic rows a day over the window (dimensions drawn from the real aging rows, staff for
   per-employee metrics), so every page reads as many rows as a busy city's; said in the output.
3. Every registered dashboard through the full Django stack (middleware, session, permission,
   template) with a signed-in supervisor: the page with its default filters (the last 90 days by
   month; it reads DailyTotal), by week, filtered to water accounts (an account filter reads
   DailyFigure, per dimension), and the first drill-down page of its first figure; a warm-up request, then
   `--samples` timed ones. Reports p50/p95/max and the queries one request makes, and PASS/FAIL
   against the target: p95 <= 300 ms and <= 10 queries a page.
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

from bench.common import pct  # noqa: E402
from reports.dashboards import base  # noqa: E402
from reports.models import DailyFigure, DailyTotal  # noqa: E402
from reports.rollup import rollup_days, rollup_recent, sum_totals  # noqa: E402


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


TARGET_P95_MS = 300
TARGET_QUERIES = 10
failures: list[str] = []


def report(label: str, ms: list[float], queries: int) -> None:
    ok = pct(ms, 95) <= TARGET_P95_MS and queries <= TARGET_QUERIES
    if not ok:
        failures.append(label)
    print(
        f"{label:<52} p50={statistics.median(ms):7.1f} ms  p95={pct(ms, 95):7.1f} ms"
        f"  max={max(ms):7.1f} ms  queries={queries:>2}  {'PASS' if ok else 'FAIL'}",
        flush=True,
    )


def copy_aging(first, last) -> int:
    """Today's aging rows onto every other day of the window (see the module docstring)."""
    with connection.cursor() as cur:
        cur.execute(
            "DELETE FROM reports_dailyfigure WHERE metric = 'aging' AND day BETWEEN %s AND %s AND day <> %s",
            [first, last, last],
        )
        cur.execute(
            """INSERT INTO reports_dailyfigure (day, metric, key, utilities, account_class, postal_code,
                   low_income, employee_id, count, amount)
               SELECT d::date, metric, key, utilities, account_class, postal_code, low_income,
                      employee_id, count, amount
               FROM reports_dailyfigure f
               CROSS JOIN generate_series(%s::date, %s::date - 1, interval '1 day') AS d
               WHERE f.metric = 'aging' AND f.day = %s""",
            [first, last, last],
        )
        return cur.rowcount


def fill_empty(first, last, per_day: int) -> dict[str, int]:
    """Synthetic rows for the metrics with none in the window (see the module docstring)."""
    wanted: dict[str, set[str]] = {}
    quantile_metrics = set()
    for dash in base.dashboards():
        for s in dash.series:
            wanted.setdefault(s.metric, set()).add(s.key or "")
        for q in dash.quantiles:
            quantile_metrics.add(q.metric)
            wanted.setdefault(q.metric, set())
    staff = list(
        get_user_model().objects.filter(is_staff=False, is_active=True).values_list("pk", flat=True)[:60]
    )
    made: dict[str, int] = {}
    with connection.cursor() as cur:
        for name, keys in sorted(wanted.items()):
            metric = base.metric(name)
            if metric is None or DailyFigure.objects.filter(metric=name, day__range=(first, last)).exists():
                continue
            if name in quantile_metrics:
                keys = {str(m) for m in range(30, 4000, 97)}  # minutes, a spread to take quantiles of
            keys_list = sorted(keys)
            per_key = max(1, per_day // len(keys_list))
            by_employee = metric.employee_path is not None and staff
            cur.execute(
                """INSERT INTO reports_dailyfigure (day, metric, key, utilities, account_class,
                       postal_code, low_income, employee_id, count, amount)
                   SELECT d::date, %(name)s, k.key, s.utilities, s.account_class, s.postal_code,
                          s.low_income,
                          CASE WHEN %(by_employee)s
                               THEN (%(staff)s::int[])[1 + (s.n %% cardinality(%(staff)s::int[]))] END,
                          1 + s.n %% 5, ((s.n %% 20000) / 100.0)::numeric(16, 2)
                   FROM generate_series(%(first)s::date, %(last)s::date, interval '1 day') AS d
                   CROSS JOIN unnest(%(keys)s::text[]) AS k(key)
                   CROSS JOIN (SELECT utilities, account_class, postal_code, low_income,
                                      row_number() OVER () AS n
                               FROM reports_dailyfigure
                               WHERE metric = 'aging' AND day = %(last)s AND key = 'current'
                               LIMIT %(per_key)s) AS s""",
                {
                    "name": name,
                    "by_employee": bool(by_employee),
                    "staff": staff or [0],
                    "first": first,
                    "last": last,
                    "keys": keys_list,
                    "per_key": per_key,
                },
            )
            made[name] = cur.rowcount
    return made


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--backfill", type=int, default=90, help="days rolled up before timing (0: none)")
    parser.add_argument("--skip-rollup", action="store_true", help="time the pages on the roll-up as it is")
    parser.add_argument(
        "--aging-days",
        choices=("all", "last"),
        default="all",
        help="replay the ledger for every backfilled day, or today's only and copy it",
    )
    parser.add_argument(
        "--fill-empty",
        type=int,
        default=0,
        metavar="N",
        help="synthetic rows a day for metrics the city has no records for",
    )
    args = parser.parse_args()
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM accounts_account")
        n_accounts = cur.fetchone()[0]
    with open("/proc/loadavg") as f:
        load = f.read().split()[0]
    print(f"City: {n_accounts:,} accounts; load average {load} on {os.cpu_count()} CPUs\n")

    today = timezone.localdate()
    first = today - timedelta(days=args.backfill - 1)
    if not args.skip_rollup:
        if args.backfill:
            t = time.perf_counter()
            run = rollup_days(first=first, last=today, snapshots=args.aging_days)
            print(
                f"roll-up backfill, {args.backfill} days, aging snapshots {args.aging_days}: "
                f"{time.perf_counter() - t:7.1f} s  {run.rows:,} rows",
                flush=True,
            )
        t = time.perf_counter()
        run = rollup_recent(days=settings.REPORTS_ROLLUP_DAYS, snapshots="last")
        print(
            f"nightly roll-up, {settings.REPORTS_ROLLUP_DAYS} days (aging snapshot of the last): "
            f"{time.perf_counter() - t:7.1f} s  {run.rows:,} rows",
            flush=True,
        )
        t = time.perf_counter()
        run = rollup_recent(days=1, snapshots="none")
        print(
            f"15-minute refresh of today (no aging replay): {time.perf_counter() - t:7.1f} s"
            f"  {run.rows:,} rows",
            flush=True,
        )
        if args.backfill and args.aging_days == "last":
            n = copy_aging(first, today)
            print(f"COPIED: today's aging rows onto the other {args.backfill - 1} days: {n:,} rows")
    if args.fill_empty:
        made = fill_empty(first, today, args.fill_empty)
        for name, n in made.items():
            print(f"SYNTHETIC: {name}: {n:,} rows (no base records in the seeded city)")
    if not args.skip_rollup or args.fill_empty:
        # the copied and synthetic rows are summed into DailyTotal as the roll-up does its own
        with connection.cursor() as cur:
            for name in DailyFigure.objects.values_list("metric", flat=True).distinct():
                sum_totals(cur, metric=name, first=first, last=today)
    print(
        f"DailyFigure rows: {DailyFigure.objects.count():,}; "
        f"DailyTotal rows: {DailyTotal.objects.count():,}\n"
    )

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
        # an account filter reads DailyFigure, per dimension: the slower path
        params = {"start": start, "end": today.isoformat(), "grain": "month", "utility": "water"}
        report(f"{dash.slug}: page, by month, water only", *timed(client, url, params, args.samples))
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
    print(f"\n{'ALL PASS' if not failures else 'FAIL: ' + ', '.join(failures)}")


if __name__ == "__main__":
    main()
