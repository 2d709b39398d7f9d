"""The ledger facts fold the history older than a decision's lookback (400 days) into a balance
forward before the open-items replay: the fold must give exactly the rows the replay over the
whole ledger gives. The replay over the whole ledger is kept here, as it was written before the
fold, as the reference; random ledgers of 30 months (two funds, partial and late payments, late
fees, bills left unpaid for years, accounts paid ahead) are compared row for row, and so are the
facts the engine then reads."""

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import EntryKind
from accounts.services.ledger import EntrySpec
from accounts.tests.factories import AccountFactory, fund, post
from collections_app.selectors import facts as facts_module
from collections_app.selectors.facts import HISTORY_DAYS, facts_for_accounts
from collections_app.selectors.facts_sql import LEDGER_SQL

pytestmark = pytest.mark.django_db
AS_OF = timezone.localdate()

UNFOLDED_LEDGER_SQL = """
WITH e AS MATERIALIZED (
    SELECT le.account_id, le.fund_id, le.kind, le.amount, le.is_debit, le.effective_date,
           COALESCE(le.due_date, le.effective_date) AS d
    FROM unnest(%(ids)s::bigint[]) AS x(id)
    CROSS JOIN LATERAL (
        SELECT * FROM accounts_ledgerentry l WHERE l.account_id = x.id AND l.effective_date <= %(as_of)s
    ) le
),
pool AS (SELECT account_id, -SUM(amount) AS credit FROM e WHERE NOT is_debit GROUP BY account_id),
debits AS (
    SELECT account_id, fund_id, d, SUM(amount) AS amt, MIN(effective_date) AS billed
    FROM e WHERE is_debit GROUP BY account_id, fund_id, d HAVING SUM(amount) > 0
),
ordered AS (
    SELECT d.account_id, d.d, d.amt, d.billed, COALESCE(p.credit, 0) AS credit,
           SUM(d.amt) OVER (PARTITION BY d.account_id ORDER BY d.d, f.priority, d.fund_id
                            ROWS UNBOUNDED PRECEDING) AS cum
    FROM debits d JOIN accounts_fund f ON f.id = d.fund_id
    LEFT JOIN pool p ON p.account_id = d.account_id
),
items AS (
    SELECT account_id, d, SUM(amt) AS amount, MIN(billed) AS billed,
           SUM(GREATEST(LEAST(amt, cum - credit), 0)) AS unpaid
    FROM ordered GROUP BY account_id, d
),
byday AS (
    SELECT account_id, CASE WHEN is_debit THEN d ELSE effective_date END AS d, SUM(amount) AS amt,
           bool_or(is_debit AND kind = 'charge') AS charge_due
    FROM e GROUP BY 1, 2
),
run AS (
    SELECT account_id, d, charge_due, SUM(amt) OVER (PARTITION BY account_id ORDER BY d) AS owed
    FROM byday
),
acct AS (
    SELECT account_id, SUM(amt) AS balance FROM byday GROUP BY account_id
),
late AS (
    SELECT account_id, COUNT(*) AS late_12m FROM run
    WHERE charge_due AND owed > 0 AND d < %(as_of)s AND d >= %(year_ago)s GROUP BY account_id
),
fees AS (
    SELECT account_id, array_agg(effective_date ORDER BY effective_date) AS late_fee_dates
    FROM e WHERE kind = 'late_fee' AND amount > 0 GROUP BY account_id
),
bl AS (
    SELECT account_id, due_date, MIN(bill_date) AS bill_date, bool_or(is_final) AS is_final
    FROM accounts_bill WHERE account_id = ANY(%(ids)s::bigint[]) AND bill_date <= %(as_of)s
    GROUP BY account_id, due_date
)
SELECT acct.account_id, acct.balance, COALESCE(late.late_12m, 0), fees.late_fee_dates,
       i.d, i.amount, i.unpaid, COALESCE(bl.bill_date, i.billed), COALESCE(bl.is_final, false)
FROM acct
LEFT JOIN late ON late.account_id = acct.account_id
LEFT JOIN fees ON fees.account_id = acct.account_id
LEFT JOIN items i ON i.account_id = acct.account_id AND (i.unpaid > 0 OR i.d > %(since)s)
LEFT JOIN bl ON bl.account_id = i.account_id AND bl.due_date = i.d
ORDER BY acct.account_id, i.d
"""


def _rows(sql: str, ids: list[int]) -> list[tuple]:  # type: ignore[type-arg]
    with connection.cursor() as cursor:
        cursor.execute(sql, facts_module._params(ids, AS_OF))
        return cursor.fetchall()


def _ledger(rng: random.Random, kind: str) -> list[EntrySpec]:
    """Thirty monthly bills in two funds and a payment habit: `paid_up` pays every bill,
    `old_debt` stopped paying years ago, `behind` pays part, `ahead` pays more than it owes,
    `exact` pays exactly its bills older than the lookback and nothing since, `cent_short` one cent
    less."""
    water, sewer = fund("WTR").pk, fund("SWR").pk
    specs, old_total = [], Decimal(0)
    for month in range(30, 0, -1):
        due = AS_OF - timedelta(days=30 * month - rng.randint(0, 5))
        billed = due - timedelta(days=21)
        amounts = [Decimal(rng.randint(2000, 9000)) / 100, Decimal(rng.randint(500, 3000)) / 100]
        for fund_id, amount in zip((water, sewer), amounts, strict=True):
            specs.append(EntrySpec(fund_id, EntryKind.CHARGE, amount, billed, due))
        if due <= AS_OF - timedelta(days=HISTORY_DAYS):
            old_total += sum(amounts)
        if rng.random() < 0.2:  # a late fee, due the day it is charged
            fee_day = due + timedelta(days=rng.randint(1, 10))
            if fee_day <= AS_OF:
                specs.append(EntrySpec(water, EntryKind.LATE_FEE, Decimal("5.00"), fee_day, fee_day))
            if fee_day <= AS_OF - timedelta(days=HISTORY_DAYS):
                old_total += Decimal("5.00")
        paid = {
            "paid_up": sum(amounts),
            "old_debt": sum(amounts) if month > 28 else Decimal(0),
            "behind": (sum(amounts) * Decimal(rng.choice(["0.5", "0.8", "1"]))).quantize(Decimal("0.01")),
            "ahead": sum(amounts) + Decimal("10.00"),
            "exact": Decimal(0),
            "cent_short": Decimal(0),
        }[kind]
        on = due - timedelta(days=rng.randint(-20, 5))
        if paid and on <= AS_OF:
            specs.append(EntrySpec(water, EntryKind.PAYMENT, -paid, on, reference=f"P{month}"))
    if kind in ("exact", "cent_short"):  # credits equal to the old bills (they drop out of the
        # replay), or one cent short of them (they stay, the newest still owing a cent)
        short = Decimal("0.01") if kind == "cent_short" else Decimal(0)
        specs.append(EntrySpec(water, EntryKind.PAYMENT, short - old_total, AS_OF - timedelta(days=300)))
    return specs


def test_the_folded_history_gives_the_rows_of_the_replay_over_the_whole_ledger():
    rng = random.Random(15)
    ids = []
    for kind in ("paid_up", "old_debt", "behind", "ahead", "exact", "cent_short") * 4:
        account = AccountFactory()
        post(account, *_ledger(rng, kind))
        ids.append(account.pk)
    ids.sort()

    folded, whole = _rows(LEDGER_SQL, ids), _rows(UNFOLDED_LEDGER_SQL, ids)

    assert folded == whole
    # the cases the fold must get right are all there: bills unpaid for more than the lookback
    # (kept in the replay), accounts in credit, and a late count reaching across the fold
    since = AS_OF - timedelta(days=HISTORY_DAYS)
    assert any(r[4] is not None and r[4] <= since and r[6] > 0 for r in whole)
    assert any(r[4] is not None and r[4] <= since and r[6] == Decimal("0.01") for r in whole)
    assert any(r[1] < 0 for r in whole)
    assert any(r[2] > 0 for r in whole)
    facts = facts_for_accounts(ids, as_of=AS_OF)
    assert sum(len(f.bills) for f in facts.values()) == sum(1 for r in whole if r[4] is not None)
