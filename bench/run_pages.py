"""Shutoff run page latency on the city in the project database (run after nightly_shutoff.py).

    .venv/bin/python bench/run_pages.py [--samples 30] [--run ID] [--synthetic N] [--json PATH]

Times every list on a shutoff run's page through the full Django stack (middleware, session,
permission, template) with a signed-in collections officer: each tab's first page, a middle page
and its last page; on the largest tab, the same with a deciding-rule filter (its most and its
least common rule) and with a search (a common surname, one account number, a word no row has:
the last reads the whole tab). A middle page is reached as its Next link would reach it: the
cursor is built from the key of the row before it (found once, not timed). A warm-up request,
then `--samples` timed ones per list; reports p50/p95/max and the queries one request makes,
and PASS/FAIL against the target: p95 <= 300 ms.

The run is `--run ID`, else the latest of the runs with the most decisions. `--synthetic N`
first writes a run of N decisions (the latest real run's decisions copied round-robin onto the
city's first N accounts, dated 2000-01-03, replaced on each use): on a 100,000-account city,
N = 100,000 gives a "not yet" tab of the size a 1,000,000-account city's run has (50,406). It
is then the run timed.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_HTTPS", "false")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench.common import pct  # noqa: E402
from collections_app.models import BatchRun, RunKind, RunStatus, ShutoffCandidate  # noqa: E402
from collections_app.selectors.shutoff import TABS, shutoff_run_counts, tab_codes, tab_counts  # noqa: E402
from collections_app.selectors.shutoff_page import SortKey  # noqa: E402
from common.roles import COLLECTIONS_OFFICER  # noqa: E402

TARGET_P95_MS = 300
SYNTHETIC_DAY = date(2000, 1, 3)

# The synthetic run: the source run's decisions, round-robin onto the first N accounts, with the
# sort and search keys the nightly run writes (collections_app.services.shutoff.INSERT_SQL).
SYNTHETIC_SQL = """
WITH src AS (SELECT row_number() OVER (ORDER BY id) - 1 AS k, * FROM collections_app_shutoffcandidate
             WHERE run_id = %(source)s),
     accts AS (SELECT row_number() OVER (ORDER BY id) - 1 AS k, id FROM accounts_account ORDER BY id
               LIMIT %(n)s)
INSERT INTO collections_app_shutoffcandidate
    (run_id, account_id, status, earliest_date, deciding_code, reason, citation, past_due,
     days_delinquent, action, decision, excluded, exclude_reason, decided_at, sort_cycle, sort_address,
     search_text)
SELECT %(run)s, a.id, s.status, s.earliest_date, s.deciding_code, s.reason, s.citation, s.past_due,
       s.days_delinquent, s.action, s.decision, false, '', now(), ac.bill_cycle, UPPER(p.search_address),
       ac.number || ' ' || UPPER(cu.search_name)
FROM accts a
JOIN src s ON s.k = a.k %% (SELECT count(*) FROM src)
JOIN accounts_account ac ON ac.id = a.id
JOIN accounts_premise p ON p.id = ac.premise_id
JOIN accounts_customer cu ON cu.id = ac.customer_id
"""


def synthetic_run(n: int) -> BatchRun:
    source = (
        BatchRun.objects.filter(kind=RunKind.SHUTOFF, done__gt=0)
        .exclude(business_date=SYNTHETIC_DAY)
        .order_by("-business_date")
        .first()
    )
    if source is None:
        sys.exit("No shutoff run to copy: run bench/nightly_shutoff.py first.")
    with transaction.atomic():
        old = BatchRun.objects.filter(kind=RunKind.SHUTOFF, business_date=SYNTHETIC_DAY)
        ShutoffCandidate.objects.filter(run__in=old).delete()
        old.delete()
        run = BatchRun.objects.create(
            kind=RunKind.SHUTOFF,
            business_date=SYNTHETIC_DAY,
            status=RunStatus.FINISHED,
            policy_version=source.policy_version,
        )
        with connection.cursor() as cur:
            cur.execute(SYNTHETIC_SQL, {"source": source.pk, "n": n, "run": run.pk})
        run.counts = shutoff_run_counts(run_id=run.pk)  # what shutoff_finish stores
        run.total = run.done = sum(run.counts["by_status"].values())
        run.save(update_fields=["total", "done", "counts"])
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE collections_app_shutoffcandidate")  # as autovacuum would, soon
    print(f"SYNTHETIC: run {run.pk} of {run.done:,} decisions copied from run {source.pk}")
    return run


def key_at(run: BatchRun, tab: str, offset: int, code: str = "") -> SortKey:
    """The key of the row at `offset` in the tab (set-up, not timed)."""
    rows = ShutoffCandidate.objects.filter(run=run, status=TABS[tab][1], excluded=TABS[tab][2])
    if code:
        rows = rows.filter(deciding_code=code)
    row = rows.order_by("sort_cycle", "sort_address", "account_id").values_list(
        "sort_cycle", "sort_address", "account_id"
    )[offset]
    return SortKey(*row)


def timed(client: Client, url: str, params: dict[str, str], samples: int) -> tuple[list[float], int, int]:
    response = client.get(url, params)  # warm-up: connection, plan cache, templates
    assert response.status_code == 200, (params, response.status_code)
    seen: list[str] = []

    def count(execute, sql, params, many, context):  # Django's execute wrapper signature
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url, params)
    rows = response.content.decode().count('data-testid="candidate-')
    times = []
    for _ in range(samples):
        t = time.perf_counter()
        response = client.get(url, params)
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (params, response.status_code)
    return times, len(seen), rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument(
        "--run", type=int, help="the run to time (default: the latest with the most decisions)"
    )
    parser.add_argument(
        "--synthetic", type=int, metavar="N", help="write a run of N decisions first, time it"
    )
    parser.add_argument("--json", metavar="PATH", help="write the results there as JSON")
    args = parser.parse_args()

    if args.synthetic:
        run = synthetic_run(args.synthetic)
    else:
        runs = BatchRun.objects.filter(kind=RunKind.SHUTOFF).exclude(status=RunStatus.RUNNING)
        run = (runs.filter(pk=args.run) if args.run else runs.order_by("-done", "-business_date")).first()
        if run is None:
            sys.exit("No shutoff run: run bench/nightly_shutoff.py first.")
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM accounts_account")
        n_accounts = cur.fetchone()[0]
    counts = tab_counts(run=run)
    print(
        f"City: {n_accounts:,} accounts; run {run.pk} of {run.business_date} ({run.get_status_display()}), "
        f"{run.done:,} decisions: {counts}; load average {os.getloadavg()[0]:.1f}\n"
    )

    user, _ = get_user_model().objects.get_or_create(username="bench-collector")
    user.groups.set([Group.objects.get(name=COLLECTIONS_OFFICER)])
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    url = reverse("collections_app:shutoff_run", args=[run.pk])
    results: list[dict[str, object]] = []

    def measure(label: str, params: dict[str, str]) -> None:
        ms, queries, rows = timed(client, url, params, args.samples)
        ok = pct(ms, 95) <= TARGET_P95_MS
        results.append(
            {
                "list": label,
                "params": params,
                "rows": rows,
                "p50_ms": round(statistics.median(ms), 1),
                "p95_ms": round(pct(ms, 95), 1),
                "max_ms": round(max(ms), 1),
                "queries": queries,
                "pass": ok,
            }
        )
        print(
            f"{label:<58} rows={rows:<3} p50={statistics.median(ms):7.1f} ms  p95={pct(ms, 95):7.1f} ms"
            f"  max={max(ms):7.1f} ms  queries={queries:>2}  {'PASS' if ok else 'FAIL'}",
            flush=True,
        )

    def three_pages(label: str, tab: str, n: int, code: str = "") -> None:
        base = {"tab": tab, **({"code": code} if code else {})}
        measure(f"{label}: first page", base)
        if n > 2:
            middle = key_at(run, tab, n // 2 - 1, code)
            measure(f"{label}: middle page", {**base, "after": middle.cursor})
        measure(f"{label}: last page", {**base, "last": "1"})

    for tab, n in counts.items():
        if n:
            three_pages(f"{tab} ({n:,})", tab, n)

    largest = max(counts, key=lambda t: counts[t])
    codes = tab_codes(run=run, tab=largest)
    for code, n in dict.fromkeys([codes[0], codes[-1]]):
        three_pages(f"{largest}, rule {code} ({n:,})", largest, n, code)

    status, excluded = TABS[largest][1:]
    rows = ShutoffCandidate.objects.filter(run=run, status=status, excluded=excluded)
    surname = (
        rows.exclude(account__customer__last_name="")
        .values_list("account__customer__last_name", flat=True)
        .order_by("account_id")
        .first()
    )
    number = rows.values_list("account__number", flat=True).order_by("-account_id").first()
    for what, q in (("a surname", surname), ("an account number", number), ("a word no row has", "XQZW")):
        params = {"tab": largest, "q": q or ""}
        measure(f"{largest}, search {what} ({q})", params)
        if what == "a surname":
            measure(f"{largest}, search {what} ({q}): last page", {**params, "last": "1"})

    failures = [r["list"] for r in results if not r["pass"]]
    print(f"\n{'ALL PASS' if not failures else 'FAIL: ' + ', '.join(map(str, failures))}")
    if args.json:
        from bench.common import Results

        stored = Results("run_pages")
        stored.notes.update(
            accounts=n_accounts,
            run={"id": run.pk, "business_date": str(run.business_date), "decisions": run.done},
            tabs=counts,
            samples=args.samples,
        )
        for r in results:
            stored.add_summary(
                f"run page: {r['list']}", r["p50_ms"], r["p95_ms"], args.samples,
                target=f"p95 <= {TARGET_P95_MS:.0f}",
            )  # fmt: skip
        stored.write(args.json)


if __name__ == "__main__":
    main()
