"""Aging buckets from the ledger: for one account, or set-based for every account at once."""

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

from django.db import connection

from accounts.selectors.open_items import OPEN_ITEMS_SQL

BUCKETS = ("current", "d1_30", "d31_60", "d61_90", "d91_120", "d120_plus")
BUCKET_LABELS = {
    "current": "Current",
    "d1_30": "1–30",
    "d31_60": "31–60",
    "d61_90": "61–90",
    "d91_120": "91–120",
    "d120_plus": "120+",
}

# Past-due buckets count days after the due date. `current` holds what is not yet due plus any
# credit balance (negative), so the six buckets always add up to the balance.
AGING_SQL = """
WITH items AS ({open_items}),
bal AS (
    SELECT account_id, SUM(amount) AS balance FROM accounts_ledgerentry
    WHERE effective_date <= %(as_of)s {account_filter} GROUP BY account_id
),
b AS (
    SELECT account_id,
      SUM(unpaid) FILTER (WHERE due_date >= %(as_of)s) AS not_due,
      SUM(unpaid) FILTER (WHERE %(as_of)s - due_date BETWEEN 1 AND 30) AS d1_30,
      SUM(unpaid) FILTER (WHERE %(as_of)s - due_date BETWEEN 31 AND 60) AS d31_60,
      SUM(unpaid) FILTER (WHERE %(as_of)s - due_date BETWEEN 61 AND 90) AS d61_90,
      SUM(unpaid) FILTER (WHERE %(as_of)s - due_date BETWEEN 91 AND 120) AS d91_120,
      SUM(unpaid) FILTER (WHERE %(as_of)s - due_date > 120) AS d120_plus
    FROM items GROUP BY account_id
)
SELECT bal.account_id, bal.balance,
       COALESCE(b.not_due, 0) + LEAST(bal.balance, 0),
       COALESCE(b.d1_30, 0), COALESCE(b.d31_60, 0), COALESCE(b.d61_90, 0),
       COALESCE(b.d91_120, 0), COALESCE(b.d120_plus, 0)
FROM bal LEFT JOIN b ON b.account_id = bal.account_id
"""


@dataclass(frozen=True)
class Aging:
    balance: Decimal
    current: Decimal
    d1_30: Decimal
    d31_60: Decimal
    d61_90: Decimal
    d91_120: Decimal
    d120_plus: Decimal

    @property
    def past_due(self) -> Decimal:
        return self.d1_30 + self.d31_60 + self.d61_90 + self.d91_120 + self.d120_plus

    def buckets(self) -> list[tuple[str, str, Decimal]]:
        return [(name, BUCKET_LABELS[name], getattr(self, name)) for name in BUCKETS]


ZERO = Aging(*(Decimal("0.00") for _ in fields(Aging)))


def aging_sql(account_match: str = "") -> str:
    """The aging statement (params: as_of) for the accounts whose id matches `account_match`, an
    SQL condition on the id such as "= %(account_id)s" or "= ANY(...)"; every account when ''."""
    if not account_match:
        return AGING_SQL.format(open_items=OPEN_ITEMS_SQL.format(account_filter=""), account_filter="")
    return AGING_SQL.format(
        open_items=OPEN_ITEMS_SQL.format(account_filter=f"AND le.account_id {account_match}"),
        account_filter=f"AND account_id {account_match}",
    )


def aging_for_account(*, account_id: int, as_of: date) -> Aging:
    sql = aging_sql("= %(account_id)s")
    with connection.cursor() as cursor:
        cursor.execute(sql, {"as_of": as_of, "account_id": account_id})
        row = cursor.fetchone()
    return Aging(*row[1:]) if row else ZERO


def aging_all_accounts_sql() -> str:
    """The set-based statement (params: as_of) for nightly runs and dashboards to build on."""
    return aging_sql()


def aging_for_all(*, as_of: date) -> dict[int, Aging]:
    with connection.cursor() as cursor:
        cursor.execute(aging_all_accounts_sql(), {"as_of": as_of})
        return {row[0]: Aging(*row[1:]) for row in cursor.fetchall()}


def aging_totals(*, as_of: date) -> Aging:
    """City-wide totals per bucket, summed inside the database."""
    cols = ", ".join(f"COALESCE(SUM(c{i}), 0)" for i in range(7))
    sql = f"SELECT {cols} FROM ({aging_all_accounts_sql()}) AS a(id, c0, c1, c2, c3, c4, c5, c6)"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, {"as_of": as_of})
        return Aging(*cursor.fetchone())
