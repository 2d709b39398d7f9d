"""Aging and delinquency: the balance in each aging bucket, and the share of active accounts with
anything past due, day by day.

A past day's aging is a snapshot: the roll-up replays the ledger as of each day it recomputes
(accounts.selectors.aging, the same bucket definitions as an account's page) and stores the
result; the nightly run recomputes the last REPORTS_ROLLUP_DAYS days (back-dated entries), older
days keep the snapshot taken then. A period of the dashboard shows its last day. "Active" is the
account's status when the snapshot was taken, and opened on or before the day.
"""

from datetime import date

from django.db import connection

from accounts.models import Account
from accounts.selectors.aging import BUCKET_LABELS, BUCKETS, aging_all_accounts_sql, aging_sql
from reports.dashboards.base import (
    Column,
    Dashboard,
    DrillPage,
    Ratio,
    RollupMetric,
    Series,
    account_link,
    register_dashboard,
    register_metric,
)
from reports.dashboards.filters import Filters

PAST_DUE = " + ".join(f"g.{b}" for b in BUCKETS if b != "current")
COLS = ", ".join(BUCKETS)
ACTIVE_ON = "a.status = 'active' AND a.opened_on <= {day}"


def _aging(param: str) -> str:
    return aging_all_accounts_sql().replace("%(as_of)s", param)


FACTS_SQL = f"""
WITH g(id, balance, {COLS}) AS ({_aging("%(as_of)s")})
SELECT %(as_of)s::date, k.key, g.id, NULL::integer, 1, k.amount
FROM g CROSS JOIN LATERAL (VALUES {", ".join(f"('{b}', g.{b})" for b in BUCKETS)}) AS k(key, amount)
WHERE k.amount <> 0
UNION ALL
SELECT %(as_of)s::date, 'active', a.id, NULL::integer, 1, COALESCE(g.balance, 0)
FROM accounts_account a LEFT JOIN g ON g.id = a.id WHERE {ACTIVE_ON.format(day="%(as_of)s")}
UNION ALL
SELECT %(as_of)s::date, 'delinquent', a.id, NULL::integer, 1, {PAST_DUE}
FROM accounts_account a JOIN g ON g.id = a.id
WHERE {ACTIVE_ON.format(day="%(as_of)s")} AND {PAST_DUE} > 0
"""  # noqa: S608 (fixed fragments: bucket names and the selector's SQL, no input)


# The drill-down replays the ledger for a slice of the chosen accounts at a time (ids after the
# cursor, in id order), never the whole city: a page of 50 past-due accounts at 1,000,000
# accounts read the 108M-entry ledger whole. The slice doubles while it finds too few (a sparse
# bucket), within a few statements; the ledger is read through its (account, date) index for the
# slice's ids only (`= ANY` of one array, so the planner sees a list, not a join to estimate).
FIRST_SLICE = 200
MAX_SLICE = 51_200
MAX_SLICES = 7


def _aging_for_slice() -> str:
    """The aging statement restricted to the accounts in the CTE `ids` (params: day)."""
    return aging_sql("= ANY((SELECT array_agg(id) FROM ids)::bigint[])").replace("%(as_of)s", "%(day)s")


class AgingMetric(RollupMetric):
    """The drill-down replays the ledger as of the day (the same SQL as the roll-up) for the
    accounts the filters select, a page at a time in account id order."""

    def drill_page(
        self, *, filters: Filters, key: str, start: date, end: date, after: int, limit: int
    ) -> DrillPage:
        if key in BUCKETS:
            amount, join, cond = f"g.{key}", "JOIN", f"g.{key} <> 0"
        elif key == "active":
            amount, join, cond = "COALESCE(g.balance, 0)", "LEFT JOIN", ACTIVE_ON.format(day="%(day)s")
        elif key == "delinquent":
            amount, join, cond = PAST_DUE, "JOIN", f"{ACTIVE_ON.format(day='%(day)s')} AND {PAST_DUE} > 0"
        else:
            return DrillPage([], None)
        chosen = Account.objects.filter(filters.base_q(account_path="", employee_path=None)).values("pk")
        chosen_sql, chosen_params = chosen.query.sql_with_params()
        # Django's %s placeholders become named ones so the statement takes one mapping.
        names = [f"c{i}" for i in range(len(chosen_params))]
        chosen_sql = chosen_sql.replace("%s", "{}").format(*(f"%({n})s" for n in names))
        # The slice's last id comes back as an extra row (is_end) so the next slice starts there
        # even when nothing in this one matched.
        sql = (
            f"WITH ids AS (SELECT a.id FROM accounts_account a WHERE a.id > %(after)s "  # noqa: S608
            f"AND a.id IN ({chosen_sql}) ORDER BY a.id LIMIT %(slice)s), "
            f"g(id, balance, {COLS}) AS ({_aging_for_slice()}), "
            f"hits AS (SELECT a.id, {amount} AS figure FROM ids JOIN accounts_account a ON a.id = ids.id "
            f"{join} g ON g.id = a.id WHERE {cond} ORDER BY a.id LIMIT %(want)s) "
            "SELECT id, figure, false FROM hits "
            "UNION ALL SELECT MAX(id), NULL, true FROM ids HAVING COUNT(*) = %(slice)s"
        )
        found: list[tuple[int, object]] = []
        cursor_id, size = after, min(max(FIRST_SLICE, limit * 2), MAX_SLICE)
        with connection.cursor() as cursor:
            for _ in range(MAX_SLICES):
                want = limit + 1 - len(found)
                params = {
                    "after": cursor_id,
                    "slice": size,
                    "want": want,
                    "day": end,
                    **dict(zip(names, chosen_params, strict=True)),
                }
                cursor.execute(sql, params)
                rows = cursor.fetchall()
                found += sorted((pk, value) for pk, value, is_end in rows if not is_end)
                slice_end = next((pk for pk, _, is_end in rows if is_end), None)
                if len(found) > limit or slice_end is None:  # the page is full, or no ids are left
                    break
                cursor_id, size = slice_end, min(size * 2, MAX_SLICE)
        more = len(found) > limit
        found = found[:limit]
        if more:
            next_after = found[-1][0]
        elif slice_end is not None:
            next_after = slice_end  # the statements ran out before the ids did: go on from there
        else:
            next_after = None
        accounts = Account.objects.select_related("customer", "premise").in_bulk([pk for pk, _ in found])
        rows = []
        for pk, value in found:
            account = accounts[pk]
            account.figure = value
            rows.append(account)
        return DrillPage(rows, next_after)


AGING = register_metric(
    AgingMetric(
        name="aging",
        facts_sql=FACTS_SQL,
        per_day=True,
        nightly_snapshot=True,
        account_path="",
        columns=(
            Column("Account", lambda a: a.number, account_link),
            Column("Customer", lambda a: str(a.customer)),
            Column("Class", lambda a: a.get_account_class_display()),
            Column("ZIP code", lambda a: a.premise.postal_code),
            Column("Status", lambda a: a.get_status_display()),
            Column("Amount", lambda a: a.figure, money=True),
        ),
    )
)

register_dashboard(
    Dashboard(
        slug="aging",
        title="Aging and delinquency",
        description="Balance by aging bucket at the end of each period, and the share of active "
        "accounts with anything past due.",
        series=(
            *(Series("aging", b, f"{BUCKET_LABELS[b]} ($)", "amount", stock=True) for b in BUCKETS),
            Series("aging", "active", "Active accounts", stock=True),
            Series("aging", "delinquent", "Past-due accounts", stock=True),
            Series("aging", "delinquent", "Past due ($)", "amount", stock=True),
        ),
        ratios=(Ratio("Delinquency rate (%)", "Past-due accounts", ("Active accounts",)),),
        chart=(
            *((f"{BUCKET_LABELS[b]} ($)", "bar") for b in BUCKETS),
            ("Delinquency rate (%)", "line"),
        ),
        uses_employee=False,
    )
)
