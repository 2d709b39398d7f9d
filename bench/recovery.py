"""The nightly recovery statements on the city in the project database, measured and rolled back.

    .venv/bin/python bench/recovery.py [--date 2026-11-22] [--small 20000] [--explain]

1. Makes `--small` final/closed accounts small balances for the length of the transaction (one
   adjustment each bringing the balance to a random amount between -$3.00 and $3.00, half of
   them credits), because the demo city has none;
2. runs exactly the three statements `collections_app.services.write_offs.small_balance_run`
   runs (lock the candidates in id order and create the write-offs, insert the entries and move
   the balances, the bulk audit) and checks every written-off account is at zero and equals the
   sum of its entries;
3. runs the agency batch's candidate statement (`services.agency.CANDIDATES_SQL`).

Everything is rolled back: nothing in the city changes. A city loaded before collections existed
lacks the collections tables the statements use; empty TEMP stand-ins live for the transaction.
"""

import argparse
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_HTTPS", "false")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.selectors.open_items import OPEN_ITEMS_SQL  # noqa: E402
from collections_app.services import agency, write_offs  # noqa: E402

STUBS = {
    "collections_app_writeoff": "CREATE TEMP TABLE collections_app_writeoff (id bigserial PRIMARY KEY, "
    "account_id bigint, kind varchar(14), status varchar(10), amount numeric(12,2), criteria varchar(40), "
    "reason text, evidence jsonb, requested_by_id int, requested_at timestamptz, decided_by_id int, "
    "decided_at timestamptz, decision_note text, recovered_amount numeric(12,2), posted_on date, "
    "batch_id bigint, idempotency_key varchar(100) UNIQUE)",
    "collections_app_agencyreferral": "CREATE TEMP TABLE collections_app_agencyreferral (id bigint, "
    "account_id bigint, status varchar(12))",
    "collections_app_bankruptcycase": "CREATE TEMP TABLE collections_app_bankruptcycase (id bigint, "
    "account_id bigint, status varchar(10))",
    "collections_app_smallclaim": "CREATE TEMP TABLE collections_app_smallclaim (id bigint, "
    "account_id bigint, status varchar(12))",
    "counseling_arrangement": "CREATE TEMP TABLE counseling_arrangement (id bigint, account_id bigint, "
    "status varchar(16))",
}

# Bring N final/closed accounts to a small balance with one adjustment each (rolled back later).
MAKE_SMALL = """
WITH pick AS (
    SELECT id, balance, (id %% 600 - 300) / 100.0 AS target FROM accounts_account
    WHERE status IN ('final', 'closed') AND balance > 3 ORDER BY id LIMIT %(n)s
), ins AS (
    INSERT INTO accounts_ledgerentry (account_id, fund_id, kind, amount, is_debit, effective_date,
        due_date, reference, created_at, idempotency_key)
    SELECT id, %(fund)s, 'adjustment', round(target, 2) - balance, round(target, 2) - balance > 0,
           %(old)s, CASE WHEN round(target, 2) - balance > 0 THEN %(old)s END, 'BENCH', now(),
           'bench-small:' || id
    FROM pick WHERE round(target, 2) <> 0
    RETURNING account_id, amount
)
UPDATE accounts_account a SET balance = a.balance + ins.amount FROM ins WHERE a.id = ins.account_id
"""


def timed(cur, label: str, sql: str, params: dict, explain: bool = False) -> float:  # type: ignore[no-untyped-def,type-arg]
    if explain:
        cur.execute("SAVEPOINT explained")
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        print("\n".join(r[0] for r in cur.fetchall()))
        cur.execute("ROLLBACK TO SAVEPOINT explained")
    start = time.perf_counter()
    cur.execute(sql, params)
    took = time.perf_counter() - start
    print(f"{label:<52} {took:7.2f} s   {cur.rowcount:>9,} rows")
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--date", type=date.fromisoformat, default=timezone.localdate())
    parser.add_argument("--small", type=int, default=20000, help="accounts made small balances")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    day = args.date
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT count(*), count(*) FILTER (WHERE status <> 'active') FROM accounts_account")
        accounts, closed = cur.fetchone()
        print(f"City: {accounts:,} accounts ({closed:,} final or closed); business date {day}\n")
        for name, ddl in STUBS.items():
            cur.execute("SELECT to_regclass(%s)", [name])
            if cur.fetchone()[0] is None:
                cur.execute(ddl)
        cur.execute("SELECT id FROM accounts_fund WHERE code = 'CR'")
        credit_fund = cur.fetchone()[0]
        cur.execute("SELECT id FROM accounts_fund WHERE code = 'WTR'")
        water = cur.fetchone()[0]
        cur.execute("SELECT id FROM django_content_type WHERE app_label = 'accounts' AND model = 'account'")
        content_type = cur.fetchone()[0]  # any type will do for the stand-in audit rows
        timed(cur, "0. (setup) make small balances", MAKE_SMALL,
              {"n": args.small, "fund": water, "old": day - timedelta(days=60)})  # fmt: skip
        params = {
            "day": day,
            "as_of": day,
            "limit": 3,
            "run": -1,
            "actor": None,
            "reason": write_offs.SMALL_BALANCE_REASON,
            "credit_fund": credit_fund,
            "actor_label": "",
            "content_type": content_type,
        }
        open_items = OPEN_ITEMS_SQL.format(
            account_filter="AND le.account_id IN (SELECT account_id FROM collections_app_writeoff "
            "WHERE batch_id = %(run)s)"
        )
        total = 0.0
        total += timed(
            cur, "1. lock candidates, create the write-offs", write_offs._CREATE_SQL, params, args.explain
        )
        total += timed(cur, "2. insert the entries, move the balances",
                       write_offs._POST_SQL.format(open_items=open_items), params, args.explain)  # fmt: skip
        total += timed(cur, "3. audit rows", write_offs._AUDIT_SQL, params)
        print(f"small-balance write-off, three statements: {total:.2f} s")
        cur.execute(
            """SELECT count(*), count(*) FILTER (WHERE w.amount < 0),
                      count(*) FILTER (WHERE a.balance <> 0),
                      count(*) FILTER (WHERE a.balance <> (SELECT SUM(amount) FROM accounts_ledgerentry le
                                                          WHERE le.account_id = a.id))
               FROM collections_app_writeoff w JOIN accounts_account a ON a.id = w.account_id
               WHERE w.batch_id = -1"""
        )
        n, credits, nonzero, broken = cur.fetchone()
        print(
            f"  {n:,} written off ({credits:,} credit balances); "
            f"not at zero: {nonzero}; balance != sum(entries): {broken}\n"
        )
        cutoff = day - timedelta(days=90)
        timed(cur, "4. agency batch: candidates (prefilter)", agency.CANDIDATES_SQL,
              {"cutoff": cutoff, "small": 3}, args.explain)  # fmt: skip
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
