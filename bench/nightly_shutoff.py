"""The nightly shutoff run on the city in the project database, beside the floor.

    .venv/bin/python bench/nightly_shutoff.py [--date YYYY-MM-DD] [--workers N] [--skip-floor]

1. If the city has no shutoff notices yet, the collections demo data is added (notices mailed to
   delinquent demo accounts, a few medical certificates and appeals: collections_app/demo.py).
2. The floor: one hand-written SQL statement computing the same candidate set (the cheapest
   formulation found: credits against debits due by the cutoff, one pass over the ledger), timed
   on its own. --textbook also times the obvious statement (exact open items per due date, as the
   aging query computes them) and checks it finds the same accounts.
3. The full nightly run for the date (default today), as production runs it: the prefilter, the
   facts of every candidate in chunks, the engine's decision for each, the decisions stored. With
   --workers N it goes through real Celery workers (N processes started here, broker in this
   shell's REDIS_DB) as a chord of chunk tasks; without, every chunk runs in this process.
   A previous unapproved run of the same date is deleted first so the run is measured from zero.

Prints both timings, the candidate counts (and whether the two sets agree), the decisions by
status and by deciding rule, and decisions per second of the engine phase.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_HTTPS", "false")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.selectors.open_items import OPEN_ITEMS_SQL  # noqa: E402
from bench.common import Results  # noqa: E402
from collections_app.models import BatchRun, Notice, RunKind, RunStatus, ShutoffCandidate  # noqa: E402
from collections_app.models.orders import ServiceOrder  # noqa: E402
from collections_app.selectors.facts_sql import DISCONNECTABLE  # noqa: E402
from collections_app.services import shutoff as shutoff_service  # noqa: E402
from policy.selectors import current_policy  # noqa: E402

# ruff: noqa: S608 -- SQL assembled from the project's own constants

# The floor: the cheapest single statement found for the candidate set, written out by hand.
# Credits settle the oldest due date first, so an account still owes something due by the cutoff
# exactly when its credits are less than its debits due by then: one pass over the ledger, no
# window, no per-bill rows.
FLOOR_SQL = """
SELECT le.account_id
FROM accounts_ledgerentry le JOIN accounts_account a ON a.id = le.account_id
WHERE a.status = 'active' AND le.effective_date <= %(as_of)s
  AND EXISTS (SELECT 1 FROM accounts_service s WHERE s.account_id = a.id AND s.ended_on IS NULL
              AND s.status IN ('connected', 'low_flow')
              AND s.utility = ANY(%(disconnectable)s::varchar[]))
GROUP BY le.account_id
HAVING SUM(le.amount) FILTER (WHERE le.is_debit AND le.amount > 0
                                AND COALESCE(le.due_date, le.effective_date) <= %(cutoff)s)
       > COALESCE(-SUM(le.amount) FILTER (WHERE NOT le.is_debit), 0)
   AND COALESCE(SUM(le.amount) FILTER (WHERE le.is_debit AND le.amount > 0
                                        AND COALESCE(le.due_date, le.effective_date) < %(as_of)s), 0)
       + COALESCE(SUM(le.amount) FILTER (WHERE NOT le.is_debit), 0) >= %(min_arrears)s
"""

# The textbook statement (--textbook): exact open items per fund and due date (the aging query's
# own CTE), then the oldest unpaid due date and the past-due sum per account.
TEXTBOOK_SQL = f"""
WITH items AS ({OPEN_ITEMS_SQL.format(account_filter="")})
SELECT i.account_id FROM items i JOIN accounts_account a ON a.id = i.account_id
WHERE a.status = 'active'
  AND EXISTS (SELECT 1 FROM accounts_service s WHERE s.account_id = a.id AND s.ended_on IS NULL
              AND s.status IN ('connected', 'low_flow')
              AND s.utility = ANY(%(disconnectable)s::varchar[]))
GROUP BY i.account_id
HAVING MIN(i.due_date) <= %(cutoff)s
   AND COALESCE(SUM(i.unpaid) FILTER (WHERE i.due_date < %(as_of)s), 0) >= %(min_arrears)s
"""


# What the decisions read, beyond the candidate set: for every candidate its ledger (amounts and
# dates, so the heap is read, not only the index), bills, services, notices, orders, payments,
# contacts, protections and arrangements; one statement, aggregated, no engine and no writes.
# The floor of a run is the cheaper of the two candidate statements (the floor above or the
# product's own prefilter, timed alone) plus this.
FACTS_FLOOR_SQL = """
SELECT count(*), sum(l.s) FROM unnest(%(ids)s::bigint[]) AS c(id)
CROSS JOIN LATERAL (SELECT sum(amount) s, max(COALESCE(due_date, effective_date)) d
                    FROM accounts_ledgerentry WHERE account_id = c.id) l
CROSS JOIN LATERAL (SELECT count(*) n FROM accounts_bill WHERE account_id = c.id
                    AND bill_date > %(as_of)s - 400) b
CROSS JOIN LATERAL (SELECT count(*) n FROM accounts_service WHERE account_id = c.id) sv
""" + "".join(
    f"CROSS JOIN LATERAL (SELECT count(*) n FROM {table} WHERE account_id = c.id) x{n}\n"
    for n, table in enumerate((
        "collections_app_notice", "collections_app_serviceorder", "payments_payment",
        "collections_app_contactattempt", "collections_app_medicalcertificate",
        "collections_app_appeal", "counseling_arrangement", "counseling_pledge",
    ))
)  # fmt: skip


def _count(sql: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def _fresh(day: date) -> None:
    run = BatchRun.objects.filter(kind=RunKind.SHUTOFF, business_date=day).first()
    if run is None:
        return
    if ServiceOrder.objects.filter(candidate__run=run).exists():
        raise SystemExit(f"The run of {day} was approved into orders; bench another --date.")
    with transaction.atomic():
        ShutoffCandidate.objects.filter(run=run).delete()
        run.delete()


def _workers(n: int) -> subprocess.Popen:  # type: ignore[type-arg]
    from config.celery import app

    app.control.purge()
    proc = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/celery"),
            "-A",
            "config",
            "worker",
            "-c",
            str(n),
            "--pool",
            "prefork",
            "-l",
            "WARNING",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        start_new_session=True,
    )
    for _ in range(60):
        if app.control.ping(timeout=1.0):
            return proc
    proc.terminate()
    raise SystemExit("the Celery workers did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--date", type=date.fromisoformat, help="business date (default: the next weekday)")
    parser.add_argument("--workers", type=int, default=0, help="Celery worker processes (0: in-process)")
    parser.add_argument("--repeat", type=int, default=2, help="full runs timed (after the floor warmed up)")
    parser.add_argument("--skip-floor", action="store_true")
    parser.add_argument(
        "--textbook", action="store_true", help="also time the open-items statement (slow: minutes)"
    )
    parser.add_argument("--json", help="write the results here (make bench)")
    args = parser.parse_args()
    day = args.date or _weekday(timezone.localdate())
    policy, version = current_policy()
    results = Results("nightly_shutoff")
    print(
        f"City: {_count('SELECT count(*) FROM accounts_account'):,} accounts, "
        f"{_count('SELECT reltuples::bigint FROM pg_class WHERE relname = $$accounts_ledgerentry$$'):,} "
        f"ledger entries (estimate); policy {version} ({', '.join(policy.preset_names)}); "
        f"business date {day:%a %Y-%m-%d}; load average {results.load_before}"
    )
    results.notes.update(business_date=day.isoformat(), workers=args.workers, policy=str(version))
    if not Notice.objects.exists():
        from collections_app.demo import demo_collections_load

        t = time.perf_counter()
        made = demo_collections_load(today=timezone.localdate())
        print(
            f"collections demo data: {made['notices']:,} notices, {made['medical']} medical certificates, "
            f"{made['appeals']} appeals in {time.perf_counter() - t:.1f} s"
        )
    _fresh(day)

    p = shutoff_service.prefilter_params(policy)
    params = {
        "as_of": day,
        "cutoff": day - timedelta(days=p["min_days"]),
        "min_arrears": p["min_arrears"],
        "disconnectable": list(DISCONNECTABLE),
    }
    floor: set[int] = set()
    floor_s = None
    if not args.skip_floor:
        # Order of work, stated because the cache matters: the floor statements run first (the
        # ledger's pages then sit in the OS cache for the runs that follow, as they would for a
        # nightly run after the day's work), then the product's runs.
        statements = [("floor: candidate statement (hand-written)", FLOOR_SQL)]
        if args.textbook:
            statements.append(("textbook open-items statement", TEXTBOOK_SQL))
        for label, sql in statements:
            t = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                found_here = {row[0] for row in cursor.fetchall()}
            took = time.perf_counter() - t
            print(f"{label}: {took:7.1f} s   {len(found_here):,} candidates")
            if not floor:
                floor, candidates_s = found_here, took
            else:
                print(f"  same accounts as the floor: {found_here == floor}")
        t = time.perf_counter()
        prefiltered = shutoff_service.shutoff_prefilter(policy=policy, as_of=day)
        prefilter_alone = time.perf_counter() - t
        print(
            f"floor: the product's prefilter alone, one statement: {prefilter_alone:7.1f} s   "
            f"{len(prefiltered):,} candidates"
        )
        # the run takes it over ranges of accounts on several connections: that too is a floor
        parts = settings.SHUTOFF_PREFILTER_PARTS
        t = time.perf_counter()
        in_parts = shutoff_service.shutoff_prefilter_parts(policy=policy, as_of=day, parts=parts)
        prefilter_alone = min(prefilter_alone, time.perf_counter() - t)
        assert in_parts == prefiltered, "the prefilter in ranges and in one statement disagree"
        print(f"floor: the product's prefilter in {parts} ranges at once: {time.perf_counter() - t:7.1f} s")
        t = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(FACTS_FLOOR_SQL, {"ids": sorted(floor), "as_of": day})
            cursor.fetchall()
        facts_s = time.perf_counter() - t
        floor_s = min(candidates_s, prefilter_alone) + facts_s
        print(f"floor: the facts the decisions read, one statement: {facts_s:7.1f} s")
        print(f"floor of the run: {floor_s:.1f} s\n")
        results.notes.update(
            floor_candidates_s=round(candidates_s, 1),
            prefilter_alone_s=round(prefilter_alone, 1),
            floor_facts_s=round(facts_s, 1),
        )

    totals = []
    for n in range(args.repeat):
        _fresh(day)
        run, total_s, prefilter_s, found = _run(day, args.workers)
        totals.append(total_s)
        engine_s = total_s - prefilter_s
        how = f"{args.workers} Celery worker processes" if args.workers else "in-process"
        print(f"full nightly run {n + 1} ({how}): {total_s:7.1f} s   status {run.status}")
        print(f"  prefilter (ranges of accounts):   {prefilter_s:7.1f} s   {len(found):,} candidates")
        print(
            f"  facts + engine + stored decisions: {engine_s:6.1f} s   {run.done:,} decisions, "
            f"{run.done / engine_s:,.0f} decisions/s"
        )
        if floor:
            same = set(found) == floor
            print(f"  candidate set identical to the floor's: {same}")
            results.notes["same_candidates"] = same
            assert same, "the prefilter and the floor disagree"
    label = f"nightly shutoff list, {args.workers or 1} process{'es' if args.workers > 1 else ''}"
    results.add(label, totals, unit="s", target="median <= 60 and ratio <= 1.5", floor=floor_s,
                extra={"decisions": run.done, "by_status": run.counts["by_status"]})  # fmt: skip
    print(f"\nby status: {run.counts['by_status']}")
    print(
        "by deciding rule: "
        + ", ".join(f"{code or '-'} {n:,}" for code, n in list(run.counts["by_code"].items())[:12])
    )
    results.write(args.json)


def _weekday(day: date) -> date:
    """A weekday lists accounts; a weekend or holiday night rolls every date to the next one."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _run(day: date, workers: int) -> tuple[BatchRun, float, float, list[int]]:
    timing: dict[str, float] = {}
    found: list[int] = []
    real_prefilter = shutoff_service.shutoff_prefilter_parts

    def timed_prefilter(**kwargs):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        ids = real_prefilter(**kwargs)
        timing["prefilter"] = time.perf_counter() - t
        found.extend(ids)
        return ids

    shutoff_service.shutoff_prefilter_parts = timed_prefilter  # type: ignore[assignment]
    proc = _workers(workers) if workers else None
    try:
        t = time.perf_counter()
        run = shutoff_service.shutoff_run(business_date=day, inline=not workers)
        while run.status == RunStatus.RUNNING:
            time.sleep(1)
            run.refresh_from_db()
        total_s = time.perf_counter() - t
    finally:
        shutoff_service.shutoff_prefilter_parts = real_prefilter  # type: ignore[assignment]
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=60)
    return run, total_s, timing["prefilter"], found


if __name__ == "__main__":
    main()
