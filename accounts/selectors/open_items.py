"""What an account still owes, charge by charge: the one computation behind aging and payment
distribution, so the two can never disagree.

Debits (charges and their reversals) are grouped per fund and due date. All credits on the
account form one pool that settles the debits oldest due date first, then by fund priority,
then fund id (a stable order). What the pool does not reach is open. A pool larger than all
debits leaves a credit balance.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection

OPEN_ITEMS_SQL = """
WITH e AS (
    SELECT le.account_id, le.fund_id, le.amount, le.is_debit,
           COALESCE(le.due_date, le.effective_date) AS d
    FROM accounts_ledgerentry le
    WHERE le.effective_date <= %(as_of)s {account_filter}
),
pool AS (
    SELECT account_id, -SUM(amount) AS credit FROM e WHERE NOT is_debit GROUP BY account_id
),
debits AS (
    SELECT e.account_id, e.fund_id, e.d, SUM(e.amount) AS amt
    FROM e WHERE e.is_debit GROUP BY e.account_id, e.fund_id, e.d
    HAVING SUM(e.amount) > 0
),
ordered AS (
    SELECT d.account_id, d.fund_id, d.d, d.amt, COALESCE(p.credit, 0) AS credit,
           SUM(d.amt) OVER (PARTITION BY d.account_id ORDER BY d.d, f.priority, d.fund_id
                            ROWS UNBOUNDED PRECEDING) AS cum
    FROM debits d JOIN accounts_fund f ON f.id = d.fund_id
    LEFT JOIN pool p ON p.account_id = d.account_id
)
SELECT account_id, fund_id, d AS due_date, LEAST(amt, cum - credit) AS unpaid
FROM ordered WHERE cum - credit > 0
"""


@dataclass(frozen=True)
class OpenItem:
    fund_id: int
    due_date: date
    unpaid: Decimal


def open_items(*, account_id: int, as_of: date) -> list[OpenItem]:
    """Unpaid pieces of the account's charges in the order a payment settles them."""
    sql = OPEN_ITEMS_SQL.format(account_filter="AND le.account_id = %(account_id)s")
    sql += " ORDER BY due_date, (SELECT priority FROM accounts_fund WHERE id = fund_id), fund_id"
    with connection.cursor() as cursor:
        cursor.execute(sql, {"as_of": as_of, "account_id": account_id})
        return [OpenItem(fund_id=f, due_date=d, unpaid=u) for _, f, d, u in cursor.fetchall()]


OPEN_ITEMS_MANY_SQL = (
    "WITH q AS (SELECT * FROM unnest(%(ids)s::bigint[], %(days)s::date[]) AS q(id, as_of)), "
)
MANY_FILTER = "AND EXISTS (SELECT 1 FROM q WHERE q.id = le.account_id AND le.effective_date <= q.as_of)"


def open_items_many(pairs: list[tuple[int, date]]) -> dict[int, list[OpenItem]]:
    """`open_items` for many accounts in one query, each as of its own date (a bulk posting);
    each account once in `pairs`."""
    if not pairs:
        return {}
    sql = OPEN_ITEMS_MANY_SQL + OPEN_ITEMS_SQL.format(account_filter=MANY_FILTER).strip().removeprefix(
        "WITH "
    )
    sql += " ORDER BY account_id, due_date, (SELECT priority FROM accounts_fund WHERE id = fund_id), fund_id"
    out: dict[int, list[OpenItem]] = {a: [] for a, _ in pairs}
    with connection.cursor() as cursor:
        ids, days = zip(*pairs, strict=True)
        cursor.execute(sql, {"as_of": max(days), "ids": list(ids), "days": list(days)})
        for account_id, f, d, u in cursor.fetchall():
            out[account_id].append(OpenItem(fund_id=f, due_date=d, unpaid=u))
    return out


def open_items_for(account_ids: list[int], *, as_of: date) -> dict[int, list[OpenItem]]:
    """`open_items` for a few accounts as of one date, in one query (a counter transaction's lines).
    `= ANY` keeps to the accounts' own entries through the (account, date) index, where
    `open_items_many`'s per-account dates, meant for a file of thousands, read the whole ledger
    (77 ms against 0.7 ms for two accounts of the demo city)."""
    sql = OPEN_ITEMS_SQL.format(account_filter="AND le.account_id = ANY(%(ids)s::bigint[])")
    sql += " ORDER BY account_id, due_date, (SELECT priority FROM accounts_fund WHERE id = fund_id), fund_id"
    out: dict[int, list[OpenItem]] = {a: [] for a in account_ids}
    with connection.cursor() as cursor:
        cursor.execute(sql, {"as_of": as_of, "ids": list(account_ids)})
        for account_id, f, d, u in cursor.fetchall():
            out[account_id].append(OpenItem(fund_id=f, due_date=d, unpaid=u))
    return out
