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

from collections_app.selectors.facts_sql import (
    ACCOUNTS_SQL,
    APPEALS_SQL,
    ARRANGEMENTS_SQL,
    BANKRUPTCY_SQL,
    CONTACTS_SQL,
    DEPOSITS_SQL,
    DISCONNECTABLE,
    HOUSEHOLD_SQL,
    LEDGER_SQL,
    MEDICAL_SQL,
    NOTICES_SQL,
    ORDERS_SQL,
    PAYMENTS_SQL,
    PLEDGES_SQL,
    SERVICE_STATES,
    UTILITY_ORDER,
    WEATHER_SQL,
)
from common.dates import add_months
from policy_engine.calendar import months_between
from policy_engine.facts import (
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

HISTORY_DAYS = 400  # a year and a bit: per-year limits, 12-month counts, renewal chains
ARRANGEMENT_HISTORY_DAYS = 800  # per-year limits and broken-arrangement lookbacks reach back 2 years
WEATHER_BEFORE, WEATHER_AFTER = 3, 4  # heat-advisory lookback (2 days) and a 72-hour look-ahead
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


def _rows(sql: str, params: dict[str, Any]) -> list[tuple]:  # type: ignore[type-arg]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def _service(services: list[str]) -> tuple[str, str]:
    """The service a disconnection would act on: among those a crew can turn off (DISCONNECTABLE,
    in that order), the first connected, else the first on low flow, else the first already off.
    With live services but none a crew can turn off, the state says so (`not_disconnectable`).
    facts_sql.SERVICE_PICK_SQL is the same choice in SQL (the nightly late fees)."""
    live = dict(s.split(":", 1) for s in services)
    for wanted in SERVICE_STATES:
        for utility in DISCONNECTABLE:
            if live.get(utility) == wanted:
                return utility, wanted
    for utility in DISCONNECTABLE:
        if utility in live:
            return utility, live[utility]
    if live:
        ranked = sorted(
            live, key=lambda u: UTILITY_ORDER.index(u) if u in UTILITY_ORDER else len(UTILITY_ORDER)
        )
        return ranked[0], "not_disconnectable"
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


def _until(as_of: date) -> datetime:
    """The end of the evaluation date: what happened before it is seen."""
    return _local_midnight(as_of + timedelta(days=1))


def _params(ids: list[int], as_of: date) -> dict[str, Any]:
    return {
        "ids": ids,
        "as_of": as_of,
        "since": as_of - timedelta(days=HISTORY_DAYS),
        "year_ago": add_months(as_of, -12),
        "until_at": _until(as_of),
        "since_at": _local_midnight(as_of - timedelta(days=HISTORY_DAYS)),
        "arr_since_at": _local_midnight(as_of - timedelta(days=ARRANGEMENT_HISTORY_DAYS)),
        "tz": settings.TIME_ZONE,
        "w_from": as_of - timedelta(days=WEATHER_BEFORE),
        "w_to": as_of + timedelta(days=WEATHER_AFTER),
    }


# Every statement, in the order they run (the ledger's, the costliest, first).
STATEMENTS = {
    "ledger": LEDGER_SQL,
    "orders": ORDERS_SQL,
    "payments": PAYMENTS_SQL,
    "notices": NOTICES_SQL,
    "contacts": CONTACTS_SQL,
    "medical": MEDICAL_SQL,
    "pledges": PLEDGES_SQL,
    "arrangements": ARRANGEMENTS_SQL,
    "bankruptcy": BANKRUPTCY_SQL,
    "appeals": APPEALS_SQL,
    "household": HOUSEHOLD_SQL,
    "weather": WEATHER_SQL,
    "deposits": DEPOSITS_SQL,
    "accounts": ACCOUNTS_SQL,
}
FactRows = dict[str, list[tuple]]  # type: ignore[type-arg]


def facts_for_accounts(account_ids: Iterable[int], *, as_of: date) -> dict[int, AccountFacts]:
    """Facts for every account in `account_ids` that exists, keyed by account id."""
    return facts_from_rows(fact_rows(account_ids, as_of=as_of), as_of=as_of)


def fact_rows(account_ids: Iterable[int], *, as_of: date) -> FactRows:
    """What the facts are made of, as the database returns it: one statement per kind of fact.
    Apart from `facts_from_rows` so that a batch can read one chunk's rows on another connection
    while it decides the chunk before (the database's work and Python's then overlap)."""
    ids = sorted({int(i) for i in account_ids})
    if not ids:
        return {}
    p = _params(ids, as_of)
    return {name: _rows(sql, p) for name, sql in STATEMENTS.items()}


def facts_from_rows(rows: FactRows, *, as_of: date) -> dict[int, AccountFacts]:
    if not rows:
        return {}
    by: dict[str, dict[int, list[Any]]] = defaultdict(lambda: defaultdict(list))

    ledger: dict[int, list[tuple]] = defaultdict(list)  # type: ignore[type-arg]
    for row in rows["ledger"]:
        ledger[row[0]].append(row)

    open_windows: dict[int, list[tuple[datetime, datetime | None]]] = defaultdict(list)
    year_ago_at = _local_midnight(add_months(as_of, -12))
    until_at = _until(as_of)
    disconnections: dict[int, int] = defaultdict(int)
    scheduled: set[int] = set()
    restoring: set[int] = set()
    for account_id, kind, status, created, completed, cancelled, payment_id in rows["orders"]:
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

    for account_id, paid_on, amount, returned_on, created, payment_id, at in rows["payments"]:
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
                at=at,
            )
        )
    for account_id, kind, sent_on, method, disconnect_on in rows["notices"]:
        by["notices"][account_id].append(
            NoticeFact(kind=kind, sent_on=sent_on, method=method, disconnect_on=disconnect_on)
        )
    for account_id, on, method, reached in rows["contacts"]:
        by["contacts"][account_id].append(ContactAttemptFact(on=on, method=method, reached=reached))
    for account_id, received_on, valid_until, renewal, unable, willing in rows["medical"]:
        by["medical"][account_id].append(
            MedicalCertificateFact(
                received_on=received_on,
                valid_until=valid_until,
                renewal=renewal,
                financially_unable=unable,
                willing_to_plan=willing,
            )
        )
    for account_id, amount, pledged_on, expected_by, status, paid, start, end in rows["pledges"]:
        by["pledges"][account_id].append(
            PledgeFact(
                amount=amount,
                pledged_on=pledged_on,
                expected_by=expected_by,
                status=status,
                paid_amount=paid,
                period_start=start,
                period_end=end,
            )
        )
    arrangements: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    for account_id, arr_id, created, months, total, down, status, ended, *inst in rows["arrangements"]:
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
        for row in rows["bankruptcy"]
    }
    appeals = {row[0] for row in rows["appeals"]}
    poverty: dict[int, Decimal] = {}
    hardship: set[int] = set()
    for account_id, fpl, benefits, program, documented in rows["household"]:
        if documented:
            hardship.add(account_id)
        if program is None:
            if fpl is not None:
                poverty[account_id] = fpl
            by["benefits"][account_id].extend(BENEFITS.get(b, b.upper()) for b in benefits or [])
        else:
            by["benefits"][account_id].append(PROGRAMS.get(program, program.upper()))
    weather = tuple(
        WeatherFact(on=d, high_f=hi, low_f=lo, heat_advisory=heat, winter_advisory=winter)
        for d, hi, lo, heat, winter in rows["weather"]
    )
    for account_id, amount, held_since, interest_through in rows["deposits"]:
        by["deposits"][account_id].append(
            DepositFact(amount=amount, held_since=held_since, interest_credited_through=interest_through)
        )

    facts: dict[int, AccountFacts] = {}
    for row in rows["accounts"]:
        account_id, number, klass, status, occupancy, customer_id, life_support, owner_id, *rest = row
        is_unit, has_units, final_billed_on, services, opened_on, referred_on = rest
        multi = is_unit or has_units
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
            # one account serving a building of units: its occupants are not the customer. A unit
            # metered on its own, in its occupant's name, is not (no occupant notice is owed)
            multiple_dwelling=has_units,
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
            hardship=account_id in hardship,
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
