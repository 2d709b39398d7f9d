"""The engine's facts from the database, for many accounts at once.

`facts_for_accounts` runs a fixed number of set-based statements whatever the number of accounts
(one per kind of fact, each `WHERE account_id = ANY(ids)`), so a nightly chunk of thousands of
accounts costs the same number of round trips as one account page. Everything is read as of the
evaluation date: entries, payments, notices and protections dated after it are not seen, so a
decision can be replayed for a past business date.

Bills are the account's debits grouped by due date (a bill's charges across funds, or a fee due
the day it was charged), with what is still unpaid from the same open-items computation aging and
payment distribution use: credits settle the oldest due date first. "Paid late" is counted the
same way: at the end of a charge's due date, something due by then was still owed.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from collections_app.policy.calendar import months_between
from collections_app.policy.facts import (
    ZERO,
    AccountFacts,
    ArrangementFact,
    BankruptcyFact,
    BillFact,
    ContactAttemptFact,
    DepositFact,
    InstallmentFact,
    MedicalCertificateFact,
    NoticeFact,
    PaymentFact,
    PledgeFact,
    WeatherFact,
)
from common.dates import add_months

HISTORY_DAYS = 400  # a year and a bit: per-year limits, 12-month counts, renewal chains
ARRANGEMENT_HISTORY_DAYS = 800  # per-year limits and broken-arrangement lookbacks reach back 2 years
WEATHER_BEFORE, WEATHER_AFTER = 3, 4  # heat-advisory lookback (2 days) and a 72-hour look-ahead
# Which live service a disconnection acts on, in order of preference (water first: a city water
# utility's shutoff is the water meter; sewer and solid waste follow it).
UTILITY_ORDER = ("water", "electric", "gas", "sewer", "solid_waste", "irrigation", "stormwater")
BENEFITS = {
    "snap": "SNAP",
    "medicaid": "MEDICAID",
    "ssi": "SSI",
    "wic": "WIC",
    "liheap": "LIHEAP",
    "tanf": "CALWORKS",
    "ga": "GA",
    "school_lunch": "SCHOOL_LUNCH",
}
PROGRAMS = {"low_income": "LOW_INCOME_PROGRAM", "senior": "SENIOR_RATE"}

ACCOUNTS_SQL = """
SELECT a.id, a.number, a.account_class, a.status, a.occupancy, a.customer_id, c.life_support,
       p.owner_id,
       p.parent_id IS NOT NULL OR EXISTS (SELECT 1 FROM accounts_premise u WHERE u.parent_id = p.id),
       CASE WHEN a.status <> 'active' THEN COALESCE(
           (SELECT max(b.bill_date) FROM accounts_bill b
             WHERE b.account_id = a.id AND b.is_final AND b.bill_date <= %(as_of)s),
           a.final_bill_requested_on, a.closed_on,
           (SELECT max(b.bill_date) FROM accounts_bill b WHERE b.account_id = a.id), a.opened_on) END,
       ARRAY(SELECT s.utility || ':' || s.status FROM accounts_service s
              WHERE s.account_id = a.id AND s.ended_on IS NULL ORDER BY s.id),
       a.opened_on,
       (SELECT max(r.referred_on) FROM collections_app_agencyreferral r
         WHERE r.account_id = a.id AND r.status = 'referred' AND r.referred_on <= %(as_of)s)
FROM accounts_account a
JOIN accounts_customer c ON c.id = a.customer_id
JOIN accounts_premise p ON p.id = a.premise_id
WHERE a.id = ANY(%(ids)s::bigint[])
"""

# One row per account (bill columns null when nothing qualifies) or per (account, due date).
LEDGER_SQL = """
WITH e AS (
    SELECT le.account_id, le.fund_id, le.kind, le.amount, le.is_debit, le.effective_date,
           COALESCE(le.due_date, le.effective_date) AS d
    FROM accounts_ledgerentry le
    WHERE le.account_id = ANY(%(ids)s::bigint[]) AND le.effective_date <= %(as_of)s
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

# Payments taken through cashiering (with their returns), and the ledger-only payment history the
# demo loader writes without payment rows, one per account, day and reference.
PAYMENTS_SQL = """
SELECT p.account_id, p.business_date, p.amount, r.returned_on, p.created_at, p.id
FROM payments_payment p LEFT JOIN payments_returneditem r ON r.payment_id = p.id
WHERE p.account_id = ANY(%(ids)s::bigint[]) AND p.status IN ('posted', 'returned')
  AND p.business_date BETWEEN %(since)s AND %(as_of)s
UNION ALL
SELECT le.account_id, le.effective_date, -SUM(le.amount), NULL, NULL, NULL
FROM accounts_ledgerentry le
WHERE le.account_id = ANY(%(ids)s::bigint[]) AND le.kind = 'payment'
  AND le.effective_date BETWEEN %(since)s AND %(as_of)s
  AND NOT EXISTS (SELECT 1 FROM payments_paymentdistribution pd WHERE pd.entry_id = le.id)
GROUP BY le.account_id, le.effective_date, le.reference
"""

NOTICES_SQL = """
SELECT account_id, kind, sent_on, method, earliest_action FROM collections_app_notice
WHERE account_id = ANY(%(ids)s::bigint[]) AND sent_on IS NOT NULL AND NOT voided
  AND sent_on BETWEEN %(since)s AND %(as_of)s
ORDER BY account_id, sent_on, id
"""

CONTACTS_SQL = """
SELECT account_id, (at AT TIME ZONE %(tz)s)::date, method, reached FROM collections_app_contactattempt
WHERE account_id = ANY(%(ids)s::bigint[]) AND at >= %(since_at)s AND at < %(until_at)s
ORDER BY account_id, at
"""

MEDICAL_SQL = """
SELECT account_id, received_on, valid_until, renewal, financially_unable, willing_to_plan
FROM collections_app_medicalcertificate
WHERE account_id = ANY(%(ids)s::bigint[]) AND received_on BETWEEN %(since)s AND %(as_of)s
ORDER BY account_id, received_on, id
"""

PLEDGES_SQL = """
SELECT account_id, amount, pledged_on, expected_by, status, paid_amount FROM counseling_pledge
WHERE account_id = ANY(%(ids)s::bigint[]) AND pledged_on <= %(as_of)s
  AND (status = 'pending' OR pledged_on >= %(since)s)
ORDER BY account_id, pledged_on, id
"""

ARRANGEMENTS_SQL = """
SELECT a.account_id, a.id, (a.created_at AT TIME ZONE %(tz)s)::date, a.months, a.total, a.down_payment,
       a.status, a.ended_on, i.due_date, i.amount, i.paid_amount, i.paid_on
FROM counseling_arrangement a
LEFT JOIN counseling_installment i ON i.arrangement_id = a.id
WHERE a.account_id = ANY(%(ids)s::bigint[]) AND a.created_at < %(until_at)s
  AND (a.status IN ('active', 'pending_approval') OR a.created_at >= %(arr_since_at)s)
ORDER BY a.account_id, a.created_at, a.id, i.number
"""

BANKRUPTCY_SQL = """
SELECT account_id, chapter, petition_date, order_for_relief_date, assurance_received_on,
       assurance_amount, pre_petition_balance
FROM collections_app_bankruptcycase
WHERE account_id = ANY(%(ids)s::bigint[]) AND status = 'open' AND petition_date <= %(as_of)s
"""

APPEALS_SQL = """
SELECT DISTINCT account_id FROM collections_app_appeal
WHERE account_id = ANY(%(ids)s::bigint[]) AND opened_on <= %(as_of)s
  AND (resolved_on IS NULL OR resolved_on > %(as_of)s)
"""

# The latest interview's poverty percentage and benefits, and active program enrollments.
HOUSEHOLD_SQL = """
SELECT account_id, fpl_percent, benefits, NULL FROM (
    SELECT DISTINCT ON (account_id) account_id, fpl_percent, benefits FROM counseling_hardshipinterview
    WHERE account_id = ANY(%(ids)s::bigint[]) AND conducted_at < %(until_at)s
    ORDER BY account_id, conducted_at DESC, id DESC
) latest
UNION ALL
SELECT account_id, NULL, NULL, program FROM counseling_programenrollment
WHERE account_id = ANY(%(ids)s::bigint[]) AND status = 'active' AND certified_on <= %(as_of)s
"""

WEATHER_SQL = """
SELECT date, high_f, low_f, heat_advisory, winter_advisory FROM collections_app_weatherday
WHERE date BETWEEN %(w_from)s AND %(w_to)s ORDER BY date
"""

DEPOSITS_SQL = """
SELECT account_id, held_amount, held_since, interest_through FROM collections_app_securitydeposit
WHERE account_id = ANY(%(ids)s::bigint[]) AND status = 'held' AND held_amount > 0
  AND held_since <= %(as_of)s
"""

# Disconnect and low-flow orders: completed ones count as disconnections, an open one means the
# account is in the disconnection process, and a payment made while one was open was made to
# avoid the disconnection (NSF escalation, rules.md 1.7). Reconnect orders name the payment that
# restored service (48 hours to redeem it if it comes back).
ORDERS_SQL = """
SELECT account_id, kind, status, created_at, completed_at, cancelled_at, payment_id
FROM collections_app_serviceorder
WHERE account_id = ANY(%(ids)s::bigint[]) AND created_at >= %(since_at)s AND created_at < %(until_at)s
"""


def _rows(sql: str, params: dict[str, Any]) -> list[tuple]:  # type: ignore[type-arg]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def _service(services: list[str]) -> tuple[str, str]:
    """The service a disconnection would act on: the first still on (connected, then low flow) in
    the utility's order of preference; if none is on, the first live one (nothing to disconnect)."""
    live = dict(s.split(":", 1) for s in services)
    for wanted in ("connected", "low_flow"):
        for utility in (*UTILITY_ORDER, *sorted(live)):
            if live.get(utility) == wanted:
                return utility, wanted
    if live:
        return next(iter(live.items()))
    return "water", "disconnected"  # no live service: nothing left to disconnect


def _bills(rows: list[tuple], as_of: date) -> tuple[BillFact, ...]:  # type: ignore[type-arg]
    """Bills in due-date order; a late fee charged after a bill's due date and no later than the
    next bill's due date was assessed on that bill (TX: one late fee per bill)."""
    fee_dates = rows[0][3] or []
    dated = [r for r in rows if r[4] is not None]
    bills = []
    for n, (*_, due, amount, unpaid, bill_date, is_final) in enumerate(dated):
        next_due = dated[n + 1][4] if n + 1 < len(dated) else as_of
        assessed = any(due < d <= max(next_due, due) for d in fee_dates)
        bills.append(
            BillFact(
                bill_date=min(bill_date, due),
                due_date=due,
                amount=amount,
                paid_amount=amount - unpaid,
                is_final=is_final,
                late_fee_assessed=assessed,
            )
        )
    return tuple(bills)


def _params(ids: list[int], as_of: date) -> dict[str, Any]:
    return {
        "ids": ids,
        "as_of": as_of,
        "since": as_of - timedelta(days=HISTORY_DAYS),
        "year_ago": add_months(as_of, -12),
        "until_at": _local_midnight(as_of + timedelta(days=1)),
        "since_at": _local_midnight(as_of - timedelta(days=HISTORY_DAYS)),
        "arr_since_at": _local_midnight(as_of - timedelta(days=ARRANGEMENT_HISTORY_DAYS)),
        "tz": settings.TIME_ZONE,
        "w_from": as_of - timedelta(days=WEATHER_BEFORE),
        "w_to": as_of + timedelta(days=WEATHER_AFTER),
    }


def facts_for_accounts(account_ids: Iterable[int], *, as_of: date) -> dict[int, AccountFacts]:
    """Facts for every account in `account_ids` that exists, keyed by account id."""
    ids = sorted({int(i) for i in account_ids})
    if not ids:
        return {}
    p = _params(ids, as_of)
    by: dict[str, dict[int, list[Any]]] = defaultdict(lambda: defaultdict(list))

    ledger: dict[int, list[tuple]] = defaultdict(list)  # type: ignore[type-arg]
    for row in _rows(LEDGER_SQL, p):
        ledger[row[0]].append(row)

    open_windows: dict[int, list[tuple[datetime, datetime | None]]] = defaultdict(list)
    year_ago_at, until_at = _local_midnight(add_months(as_of, -12)), p["until_at"]
    disconnections: dict[int, int] = defaultdict(int)
    scheduled: set[int] = set()
    restoring: set[int] = set()
    for account_id, kind, status, created, completed, cancelled, payment_id in _rows(ORDERS_SQL, p):
        if kind == "reconnect":
            if payment_id is not None:
                restoring.add(payment_id)
            continue
        if kind not in ("disconnect", "low_flow"):
            continue
        closed = completed or cancelled
        open_windows[account_id].append((created, closed))
        if status == "completed" and completed is not None and year_ago_at <= completed < until_at:
            disconnections[account_id] += 1
        if closed is None or closed >= until_at:
            scheduled.add(account_id)

    for account_id, paid_on, amount, returned_on, created, payment_id in _rows(PAYMENTS_SQL, p):
        returned = returned_on is not None and returned_on <= as_of
        avoid = created is not None and any(
            start <= created and (end is None or created <= end) for start, end in open_windows[account_id]
        )
        by["payments"][account_id].append(
            PaymentFact(
                paid_on=paid_on,
                amount=amount,
                returned=returned,
                returned_on=returned_on if returned else None,
                to_avoid_disconnect=avoid,
                restored_service=payment_id in restoring,
            )
        )
    for account_id, kind, sent_on, method, disconnect_on in _rows(NOTICES_SQL, p):
        by["notices"][account_id].append(
            NoticeFact(kind=kind, sent_on=sent_on, method=method, disconnect_on=disconnect_on)
        )
    for account_id, on, method, reached in _rows(CONTACTS_SQL, p):
        by["contacts"][account_id].append(ContactAttemptFact(on=on, method=method, reached=reached))
    for account_id, received_on, valid_until, renewal, unable, willing in _rows(MEDICAL_SQL, p):
        by["medical"][account_id].append(
            MedicalCertificateFact(
                received_on=received_on,
                valid_until=valid_until,
                renewal=renewal,
                financially_unable=unable,
                willing_to_plan=willing,
            )
        )
    for account_id, amount, pledged_on, expected_by, status, paid in _rows(PLEDGES_SQL, p):
        by["pledges"][account_id].append(
            PledgeFact(
                amount=amount, pledged_on=pledged_on, expected_by=expected_by, status=status, paid_amount=paid
            )
        )
    arrangements: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    for account_id, arr_id, created, months, total, down, status, ended, *inst in _rows(ARRANGEMENTS_SQL, p):
        arr = arrangements[account_id].setdefault(
            arr_id,
            {
                "created_on": created,
                "months": months,
                "total": total,
                "down_payment": down,
                "status": status,
                "ended_on": ended,
                "installments": [],
            },
        )
        if inst[0] is not None:
            due, amount, paid, paid_on = inst
            later = paid_on is not None and paid_on > as_of  # paid in full after the evaluation date
            arr["installments"].append(
                InstallmentFact(
                    due_date=due,
                    amount=amount,
                    paid_amount=ZERO if later else paid,
                    paid_on=None if later else paid_on,
                )
            )
    bankruptcies = {
        row[0]: BankruptcyFact(
            chapter=row[1],
            petition_date=row[2],
            order_for_relief_date=row[3],
            assurance_received_on=row[4] if row[4] and row[4] <= as_of else None,
            assurance_amount=row[5] or ZERO,
            pre_petition_balance=row[6] or ZERO,
        )
        for row in _rows(BANKRUPTCY_SQL, p)
    }
    appeals = {row[0] for row in _rows(APPEALS_SQL, p)}
    poverty: dict[int, Decimal] = {}
    for account_id, fpl, benefits, program in _rows(HOUSEHOLD_SQL, p):
        if program is None:
            if fpl is not None:
                poverty[account_id] = fpl
            by["benefits"][account_id].extend(BENEFITS.get(b, b.upper()) for b in benefits or [])
        else:
            by["benefits"][account_id].append(PROGRAMS.get(program, program.upper()))
    weather = tuple(
        WeatherFact(on=d, high_f=hi, low_f=lo, heat_advisory=heat, winter_advisory=winter)
        for d, hi, lo, heat, winter in _rows(WEATHER_SQL, p)
    )
    for account_id, amount, held_since, interest_through in _rows(DEPOSITS_SQL, p):
        by["deposits"][account_id].append(
            DepositFact(amount=amount, held_since=held_since, interest_credited_through=interest_through)
        )

    facts: dict[int, AccountFacts] = {}
    for row in _rows(ACCOUNTS_SQL, p):
        account_id, number, klass, status, occupancy, customer_id, life_support, owner_id, *rest = row
        multi, final_billed_on, services, opened_on, referred_on = rest
        utility, state = _service(services)
        money = ledger.get(account_id)
        residential = klass in ("residential", "multi_unit")
        arrs = arrangements.get(account_id, {})
        medical = tuple(by["medical"][account_id])
        facts[account_id] = AccountFacts(
            account_number=number,
            residential=residential,
            single_family=klass == "residential" and not multi,
            utility=utility,
            # the customer of record owns the premise and the people living there are tenants
            # (or it is a building with units): occupants must be told (rules.md 1.11)
            landlord_owned=owner_id is not None
            and owner_id == customer_id
            and (occupancy == "tenant" or (multi and klass != "residential")),
            multiple_dwelling=multi,
            service_state=state,
            # a final or closed account was final-billed: on its final bill, or when it was asked
            # for, or closed; failing all of those, its last bill
            final_billed_on=final_billed_on,
            balance=money[0][1] if money else ZERO,
            bills=_bills(money, as_of) if money else (),
            payments=tuple(sorted(by["payments"][account_id], key=lambda f: f.paid_on)),
            notices=tuple(by["notices"][account_id]),
            contact_attempts=tuple(by["contacts"][account_id]),
            medical_certificates=medical,
            life_support=life_support,
            pledges=tuple(by["pledges"][account_id]),
            arrangements=tuple(
                ArrangementFact(**{**a, "installments": tuple(a["installments"])}) for a in arrs.values()
            ),
            bankruptcy=bankruptcies.get(account_id),
            appeal_pending=account_id in appeals,
            poverty_pct=poverty.get(account_id),
            benefit_programs=tuple(dict.fromkeys(by["benefits"][account_id])),
            willing_to_plan=any(a["status"] in ("active", "pending_approval") for a in arrs.values())
            or any(m.willing_to_plan for m in medical),
            weather=weather,
            deposits=tuple(by["deposits"][account_id]),
            disconnections_12m=disconnections[account_id],
            late_payments_12m=money[0][2] if money else 0,
            credit_history_months=max(months_between(opened_on, as_of), 0),
            disconnect_scheduled=account_id in scheduled,
            referred_on=referred_on,
            extra={"account_id": account_id, "account_status": status},
        )
    return facts


def facts_for_account(account_id: int, *, as_of: date) -> AccountFacts:
    facts = facts_for_accounts([account_id], as_of=as_of)
    if account_id not in facts:
        from common.exceptions import DomainError

        raise DomainError("account.not_found", f"No account with id {account_id}.")
    return facts[account_id]
