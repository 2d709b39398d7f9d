"""The nightly late-fee statements on the city in the project database, measured and rolled back.

    .venv/bin/python bench/late_fees.py [--date 2026-11-22] [--preset AZ_MESA] [--explain]

Runs exactly what `collections_app.services.late_fees.late_fees_run` runs (find the accounts,
lock them in id order, INSERT ... SELECT the fees and UPDATE ... FROM the balances) inside one
transaction that is rolled back: nothing in the city changes. A city loaded before collections
existed lacks the collections tables the statement joins; empty TEMP stand-ins are created for
the length of the transaction (they vanish with it).
"""

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_HTTPS", "false")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.common import Results  # noqa: E402
from collections_app.services import late_fee_sql  # noqa: E402
from collections_app.services.late_fee_reasons import decisions_cte  # noqa: E402
from collections_app.services.late_fees import (  # noqa: E402
    ACCOUNT_FILTER,
    APPLY,
    FIND,
    LOCK,
    SESSION_SETTINGS,
    _audit,
    applied_rows,
)
from policy.models import PolicyVersion  # noqa: E402
from policy_engine.policy import policy_build  # noqa: E402

STUBS = {
    "collections_app_bankruptcycase": "CREATE TEMP TABLE collections_app_bankruptcycase (id bigint, "
    "account_id bigint, status varchar(10), petition_date date, pre_petition_balance numeric(12,2), "
    "deposit_setoff numeric(12,2))",
    "collections_app_agencyreferral": "CREATE TEMP TABLE collections_app_agencyreferral (id bigint, "
    "account_id bigint, status varchar(12))",
}


def timed(cur, label: str, sql: str, params: dict) -> list[tuple]:  # type: ignore[no-untyped-def,type-arg]
    start = time.perf_counter()
    cur.execute(sql, params)
    rows = cur.fetchall()
    print(f"{label:<44} {time.perf_counter() - start:7.2f} s   {len(rows):>9,} rows")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--date", type=date.fromisoformat, default=timezone.localdate())
    parser.add_argument("--preset", action="append", dest="presets")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of each statement")
    parser.add_argument(
        "--lookback", type=int, default=1,
        help=f"days of delinquent bills to catch up: 1 (default) is a normal night after a night that "
        f"ran; the product's window is {late_fee_sql.LOOKBACK_DAYS} (a missed month caught up)",
    )  # fmt: skip
    parser.add_argument("--repeat", type=int, default=3, help="timed nights, after one warm-up night")
    parser.add_argument("--json", help="write the results here (make bench)")
    args = parser.parse_args()
    late_fee_sql.LOOKBACK_DAYS = args.lookback
    policy = policy_build(presets=args.presets or ["AZ_MESA"])
    plan = late_fee_sql.build(policy, as_of=args.date, weather=[])
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM accounts_account")
        print(
            f"City: {cur.fetchone()[0]:,} accounts; business date {args.date}; policy {policy.preset_names}; "
            f"catch-up window {args.lookback} days\n"
        )
    results = Results("late_fees")
    totals = []
    for n in range(args.repeat + 1):
        print("warm-up night (not counted)" if n == 0 else f"night {n}")
        seconds, fees = _night(args, policy, plan)
        if n:
            totals.append(seconds)
    results.notes.update(business_date=args.date.isoformat(), lookback_days=args.lookback, fees=fees)
    results.add("late fees, a normal night", totals, unit="s", target="median <= 10")
    results.write(args.json)


def _night(args, policy, plan) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    """One night's statements in a transaction that is rolled back: (seconds, fees)."""
    total = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        for name, ddl in STUBS.items():
            cur.execute("SELECT to_regclass(%s)", [name])
            if cur.fetchone()[0] is None:
                cur.execute(ddl)
        for setting in SESSION_SETTINGS:
            cur.execute(setting)
        cur.execute("SELECT id FROM accounts_fund WHERE code = 'FEE'")
        params = {**plan.params, "fund": cur.fetchone()[0], "actor": None}
        # the stored decisions' version (the FK is deferred and the bench rolls back: any id will do)
        cur.execute(f"SELECT COALESCE(max(id), 0) FROM {PolicyVersion._meta.db_table}")  # noqa: S608
        params["version"] = cur.fetchone()[0]
        drop, create, analyze = FIND
        cur.execute(drop)
        find = create.format(sql=plan.sql.replace("{account_filter}", ""))
        if args.explain:
            cur.execute("SAVEPOINT explained")
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + find, params)
            print("--- find\n" + "\n".join(r[0] for r in cur.fetchall()))
            cur.execute("ROLLBACK TO SAVEPOINT explained")
        start = time.perf_counter()
        cur.execute(find, params)
        cur.execute(analyze)
        print(f"{'1. find the accounts owing a fee':<44} {time.perf_counter() - start:7.2f} s")
        timed(cur, "2. lock them in id order", LOCK, params)
        decisions = decisions_cte(policy, plan.layer_fees, args.date)
        apply = plan.sql.replace("{account_filter}", ACCOUNT_FILTER) + APPLY.replace("{decisions}", decisions)
        if args.explain:
            cur.execute("SAVEPOINT explained")
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + apply, params)
            print("--- apply\n" + "\n".join(r[0] for r in cur.fetchall()))
            cur.execute("ROLLBACK TO SAVEPOINT explained")
        rows = applied_rows(timed(cur, "3. insert the fees + decisions, move balances", apply, params))
        start = time.perf_counter()
        _audit(rows, actor=None, day=args.date)
        print(f"{'4. audit rows, in bulk':<44} {time.perf_counter() - start:7.2f} s")
        # what COMMIT would check: the deferred foreign keys of every inserted row
        start = time.perf_counter()
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        print(f"{'5. deferred foreign-key checks':<44} {time.perf_counter() - start:7.2f} s")
        fees = [r for r in rows if r[0] == "fee"]
        amount = sum(r[3] for r in fees)
        print(f"\n{len(fees):,} fees, ${amount:,.2f}, on {len({r[2] for r in fees}):,} accounts")
        seconds = time.perf_counter() - total
        print(f"all of it: {seconds:.2f} s (rolled back)\n")
        transaction.set_rollback(True)
    return seconds, len(fees)


if __name__ == "__main__":
    main()
