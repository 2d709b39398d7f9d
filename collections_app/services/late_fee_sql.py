"""The nightly late-fee statement, generated from the policy.

One fee per bill, at most once (idempotency key `late_fee:bill:<id>:0`), the first night the bill
is delinquent (its effective due date plus the grace days has passed) and only while it is still
unpaid. The amount is `amounts.late_fee_for` written in SQL: the same formula per rule set, the
lowest across the rule sets that govern the account (rules.md §0 "min of fee caps"), and zero
whenever a rule set suspends or waives the fee (low-flow/shutoff, plan, poverty waiver, SB 998
low-income waiver). `fee_expression` is the formula alone, so a test can prove it equal to the
pure function over random amounts.

Why the past-due balance is `balance - bills not yet due`: credits settle the oldest charges
first (accounts.selectors.open_items), so what is unpaid of the charges already due is the
balance less everything not yet due; and only bills carry a due date in the future (fees,
adjustments and returned payments are due the day they post). That reads the 1M-row account
table and one month of bills instead of the 100M-row ledger. A bill's unpaid part is what the
newer past-due bills do not already explain (the newest charges are the last to be settled).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings

from collections_app.selectors.facts_sql import (
    SERVICE_PARAMS,
    SERVICE_PICK_SQL,
    SERVICE_STATE,
    SERVICE_UTILITY,
)
from collections_app.services import late_fee_cutoff as cut
from policy_engine.core import canonical_program, deeming_programs, effective_due
from policy_engine.facts import AccountFacts, BillFact, WeatherFact
from policy_engine.policy import Layer, Policy

LOOKBACK_DAYS = 30  # a nightly run missed for up to a month is caught up; older bills never get a fee


def _num(value: Decimal | int) -> str:
    """A policy number as an SQL literal (validated Decimals/ints from params, never user text)."""
    return f"{Decimal(value)}::numeric"


def fee_expression(layer: Layer, past_due: str = "past_due", bill_amount: str = "bill_amount") -> str:
    """`amounts._formula` for one rule set, over two SQL numeric expressions."""
    formula = layer.p("late_fee.formula")
    if formula == "NONE":
        return "0::numeric"
    base = bill_amount if layer.p("late_fee.base") == "BILL" else past_due
    pct = _num(layer.p("late_fee.pct"))
    if formula == "MAX_PCT_FLOOR":
        fee = f"GREATEST(ROUND(({base}) * {pct}, 2), ROUND({_num(layer.p('late_fee.floor'))}, 2))"
    elif formula == "PCT":
        fee = f"ROUND(({base}) * {pct}, 2)"
    elif formula == "FLAT":
        fee = f"ROUND({_num(layer.p('late_fee.flat'))}, 2)"
    else:  # NY_MUNI_GAS: 10% of the first $10 plus 3% of the rest, at least 15 cents
        first = f"LEAST({base}, 10::numeric)"
        fee = f"GREATEST(ROUND({first} * 0.10 + (({base}) - {first}) * 0.03, 2), 0.15)"
    minimum = _num(layer.p("late_fee.min_balance"))
    return (
        f"(CASE WHEN ({past_due}) <= 0 THEN 0::numeric WHEN ({past_due}) < {minimum} THEN 0::numeric "
        f"ELSE {fee} END)"
    )


@dataclass(frozen=True)
class Plan:
    sql: str
    params: dict[str, Any]
    suspended_today: bool  # a moratorium suspends late fees on the business date itself
    suspended_days: list[date]  # bills whose delinquency began on these days never get a fee
    layer_fees: tuple[str, ...] = ()  # each rule set's fee over `c` (chosen, then the fallback)


def _moratorium_days(policy: Policy, start: date, end: date, weather: list[WeatherFact]) -> list[date]:
    """Days in [start, end] on which a governing rule set suspends late fees (weather/season)."""
    from policy_engine.context import Ctx
    from policy_engine.core import delinquency_for
    from policy_engine.rules_calendar import weather_block

    facts = AccountFacts(weather=tuple(weather))
    days = []
    for layer in policy.layers:
        if layer.p("weather.late_fees_during_moratorium") or layer.p("weather.mode") == "NONE":
            continue
        d = start
        while d <= end:
            ctx = Ctx(layer, policy, facts, d, delinquency_for(layer, policy, facts, d))
            if weather_block(ctx, d):
                days.append(d)
            d += timedelta(days=1)
    return sorted(set(days))


def _due_shift(policy: Policy, start: date, end: date) -> tuple[list[date], list[date], int | None]:
    """Due dates the rules move (weekend/holiday roll), and the longest bill-to-due minimum, both
    the latest across rule sets: a bill is delinquent only once every rule set says so."""
    pay_days = [layer.p("delinquency.bill_pay_days") for layer in policy.layers]
    longest = max((d for d in pay_days if d is not None), default=None)
    froms, tos = [], []
    if any(layer.p("delinquency.due_date_rolls_to_business_day") for layer in policy.layers):
        d = start
        while d <= end:
            # the roll alone (bill date far back): the pay-days minimum is the statement's own term
            bill = BillFact(date.min, d, Decimal(0))
            rolled = max(effective_due(layer, policy, bill) for layer in policy.layers)
            if rolled != d:
                froms.append(d)
                tos.append(rolled)
            d += timedelta(days=1)
    return froms, tos, longest


def _applies(layer: Layer, as_of: date) -> str:
    """`rules_protect.layer_applies` in SQL (system size is not recorded per account)."""
    start = layer.p("applicability.effective_from")
    if start is not None and as_of < date.fromisoformat(start):
        return "false"
    parts = ["true"]
    if layer.p("applicability.residential_only"):
        parts.append("c.residential")
    utilities = layer.p("applicability.utilities")
    if utilities is not None:
        listed = ", ".join(f"'{u}'" for u in utilities if u.isidentifier())
        parts.append(f"c.utility IN ({listed or 'NULL'})")
    return " AND ".join(parts)


def _layer_fee(layer: Layer, n: int, past_due: str, bill_amount: str, *, waivers: bool = True) -> str:
    """One rule set's fee for one bill: zero when it suspends or waives late fees."""
    zero_when = []
    if layer.p("late_fee.stop_on_low_flow_or_shutoff"):
        zero_when.append(
            "(c.residential AND c.single_family AND c.service_state IN ('low_flow', 'disconnected'))"
        )
    if not layer.p("arrangements.late_fees_accrue_during_plan"):
        zero_when.append("c.on_plan")
    if (waive := layer.p("late_fee.waive_fpl_pct")) is not None:
        zero_when.append(f"(c.fpl IS NOT NULL AND c.fpl <= {_num(waive)})")
    if waivers and layer.p("late_fee.low_income_interest_waiver_months") is not None:
        zero_when.append(f"c.li_waive_{n}")
    fee = fee_expression(layer, past_due, bill_amount)
    if zero_when:
        fee = f"(CASE WHEN {' OR '.join(zero_when)} THEN 0::numeric ELSE {fee} END)"
    return fee


def _low_income_sql(layer: Layer, n: int) -> str:
    """`core.is_low_income` and 'no waiver used within the window' for one rule set."""
    from collections_app.selectors.facts import BENEFITS, PROGRAMS

    programs = deeming_programs(layer)  # canonical names: CALFRESH counts as SNAP
    benefit_codes = [b for b, name in BENEFITS.items() if canonical_program(name) in programs]
    program_codes = [p for p, name in PROGRAMS.items() if canonical_program(name) in programs]
    limit = layer.p("low_income.fpl_pct")
    months = int(layer.p("late_fee.low_income_interest_waiver_months"))
    low = [f"x.benefits && ARRAY[{', '.join(repr(b) for b in benefit_codes) or 'NULL'}]::varchar[]"]
    low.append(f"x.programs && ARRAY[{', '.join(repr(p) for p in program_codes) or 'NULL'}]::varchar[]")
    if limit is not None:
        low.append(f"(x.fpl IS NOT NULL AND x.fpl < {_num(limit)})")
    return (
        f"(({' OR '.join(low)}) AND (x.last_waiver IS NULL OR "
        f"x.last_waiver <= %(as_of)s - interval '{months} months') AND x.first_bill) AS li_waive_{n}"
    )


def build(policy: Policy, *, as_of: date, weather: list[WeatherFact]) -> Plan:
    """The CTEs ending in `calc` (bill_id, account_id, number, past_due, fee, waived); the caller
    appends its final statement and fills `{account_filter}`."""
    layers = list(policy.layers)
    every = [*layers, policy.fallback]  # the fallback governs accounts no chosen rule set covers
    grace = max(layer.p("delinquency.past_due_grace_days") for layer in layers)
    window_from = as_of - timedelta(days=LOOKBACK_DAYS + grace)
    suspended = _moratorium_days(policy, window_from, as_of, weather)
    roll_from, roll_to, pay_days = _due_shift(
        policy, window_from - timedelta(days=62), as_of + timedelta(days=62)
    )
    # core.effective_due: the later of the due date and bill date + pay days, then rolled
    due = "GREATEST(b.due_date, b.bill_date + COALESCE(%(pay_days)s::int, 0))"
    eff = f"COALESCE(r.rolled, {due})"

    li = [
        n
        for n, layer in enumerate(every)
        if layer.p("late_fee.low_income_interest_waiver_months") is not None
    ]
    li_cols = "".join(", " + _low_income_sql(every[n], n) for n in li)
    cuts = cut.cutoffs(every)  # due-date payment cutoffs (TX 5 p.m.); none: no payments read
    fees, unwaived = [], []
    for n, layer in enumerate(every):
        # once per bill (TX, NY): the bill's own unpaid part is the base; else the account's past due
        base, owed = cut.owed(layer, cuts)
        fee, unwaived_fee = (_layer_fee(layer, n, base, "c.total", waivers=w) for w in (True, False))
        if cuts:  # a bill one rule set calls paid in time is late only once every rule set says so
            fee, unwaived_fee = (
                f"(CASE WHEN {owed} > 0 THEN {f} ELSE 0::numeric END)" for f in (fee, unwaived_fee)
            )
        fees.append(fee)
        unwaived.append(unwaived_fee)
    chosen = ", ".join(
        f"CASE WHEN {_applies(layer, as_of)} THEN {fee} END"
        for layer, fee in zip(layers, fees[: len(layers)], strict=True)
    )
    fee_sql = f"COALESCE(LEAST({chosen}), {fees[-1]})"
    # a waiver is used (and recorded) only where it took away a fee that was otherwise due
    waived_sql = " OR ".join(f"(c.li_waive_{n} AND {unwaived[n]} > 0)" for n in li) or "false"
    needs = {
        "service": any(layer.p("late_fee.stop_on_low_flow_or_shutoff") for layer in every),
        "utility": any(layer.p("applicability.utilities") is not None for layer in layers),
        "household": bool(li) or any(layer.p("late_fee.waive_fpl_pct") is not None for layer in every),
        "plan": not all(layer.p("arrangements.late_fees_accrue_during_plan") for layer in every),
    }

    premise = "JOIN accounts_premise p ON p.id = a.premise_id" if needs["service"] else ""
    # a bill whose fee was waived is settled for good: the waiver's audit row marks it
    waived_before = (
        "AND NOT EXISTS (SELECT 1 FROM common_auditevent ev WHERE ev.account_id = f.account_id "
        "AND ev.verb = 'late_fee.waived' AND ev.target_id = f.bill_id::text)"
        if li
        else ""
    )
    unpaid = (
        "GREATEST(x.gross_past_due - x.pre_petition, 0) AS past_due,\n"
        "           LEAST(x.total, GREATEST(x.gross_past_due - x.pre_petition - x.newer, 0)) AS bill_unpaid"
    )
    owing = cut.owing(cuts, "x.gross_past_due", "x.late_raw_0")
    # generated from validated policy values only (as the statement below)
    inner = f"(SELECT x.*, {unpaid} FROM x WHERE {owing})"  # noqa: S608
    if cuts:
        c_sql = f"SELECT x.*{li_cols}\n    FROM {cut.c_from(cuts, inner)}"  # noqa: S608
    else:
        c_sql = f"SELECT x.*,\n           {unpaid}\n           {li_cols}\n    FROM x WHERE {owing}"  # noqa: S608
    first = "row_number() OVER (PARTITION BY d.account_id ORDER BY d.eff_due, d.id) = 1" if li else "true"
    # every interpolated piece is generated here from validated policy values, never user input
    sql = f"""
WITH rolls AS (
    SELECT * FROM unnest(%(roll_from)s::date[], %(roll_to)s::date[]) AS r(due, rolled)
),
win AS MATERIALIZED (
    SELECT b.id, b.number, b.account_id, b.bill_date, b.total, {eff} AS eff_due
    FROM accounts_bill b LEFT JOIN rolls r ON r.due = {due}
    WHERE b.due_date >= %(window_from)s::date - COALESCE(%(pay_days)s::int, 0) AND b.bill_date <= %(as_of)s
      {{account_filter}}
),
past AS (
    SELECT win.*, COALESCE(SUM(total) OVER (PARTITION BY account_id ORDER BY eff_due DESC, id DESC
                                            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS newer
    FROM win WHERE eff_due < %(as_of)s
),
d AS (
    SELECT * FROM past
    WHERE eff_due < %(as_of)s - %(grace)s::int AND eff_due >= %(window_from)s
      AND NOT (eff_due + %(grace)s::int + 1 = ANY(%(suspended)s::date[]))
),
not_due AS (
    -- only for the accounts with a bill in the window: summing every open cycle's bills (half the
    -- city's accounts) cost more than the rest of the statement
    SELECT account_id, SUM(total) AS amount FROM win
    WHERE eff_due >= %(as_of)s AND account_id IN (SELECT account_id FROM d) GROUP BY account_id
),{cut.payments_cte(cuts)}
x AS (
    SELECT d.id AS bill_id, d.number, d.account_id, d.total, d.newer,
           a.balance - COALESCE(nd.amount, 0) AS gross_past_due,
           GREATEST(LEAST(COALESCE(bk.pre_petition_balance - bk.deposit_setoff, 0), a.balance), 0)
               AS pre_petition,
           a.account_class IN ('residential', 'multi_unit') AS residential,
           {_service_cols(needs["service"], needs["utility"])},
           {_household_cols(needs["household"])},
           {_plan_col(needs["plan"])},
           {first} AS first_bill{cut.x_cols(cuts)}
    FROM d
    JOIN accounts_account a ON a.id = d.account_id
    {premise}
    {cut.x_join(cuts)}
    LEFT JOIN not_due nd ON nd.account_id = d.account_id
    LEFT JOIN collections_app_bankruptcycase bk
           ON bk.account_id = a.id AND bk.status = 'open' AND bk.petition_date <= %(as_of)s
    WHERE a.status IN ('active', 'final') AND {cut.owing(cuts, "a.balance", "COALESCE(lp.raw_0, 0)")}
      AND (bk.id IS NULL OR d.bill_date >= bk.petition_date)
      AND NOT EXISTS (SELECT 1 FROM collections_app_agencyreferral ag
                      WHERE ag.account_id = a.id AND ag.status = 'referred')
),
c AS MATERIALIZED (
    {c_sql}
),
f AS MATERIALIZED (
    SELECT c.bill_id, c.number, c.account_id, c.past_due, {fee_sql} AS fee, ({waived_sql}) AS waived
    FROM c WHERE {"c.bill_unpaid + c.late_0" if cuts else "c.bill_unpaid"} > 0
),
calc AS (
    -- the bill's idempotency key last: probed only for bills that would get a fee
    SELECT * FROM f WHERE (f.fee > 0 OR f.waived)
      AND NOT EXISTS (SELECT 1 FROM accounts_ledgerentry le
                      WHERE le.idempotency_key = 'late_fee:bill:' || f.bill_id || ':0')
      {waived_before}
)
"""  # noqa: S608
    params = {
        "as_of": as_of,
        "window_from": window_from,
        "grace": grace,
        "pay_days": pay_days,
        "roll_from": roll_from,
        "roll_to": roll_to,
        "suspended": suspended,
        "tz": settings.TIME_ZONE,
        **SERVICE_PARAMS,
    }
    return Plan(
        sql=sql,
        params=params,
        suspended_today=as_of in suspended,
        suspended_days=suspended,
        layer_fees=tuple(fees),
    )


def _plan_col(needed: bool) -> str:
    if not needed:
        return "false AS on_plan"
    return """EXISTS (SELECT 1 FROM counseling_arrangement ar
                   WHERE ar.account_id = a.id AND ar.status = 'active') AS on_plan"""


def _service_cols(service: bool, utility: bool) -> str:
    """The service a shutoff acts on (selectors.facts._service, in SQL), its state, single-family."""
    cols = [
        f"COALESCE({SERVICE_PICK_SQL.format(col=SERVICE_UTILITY)}, 'water') AS utility"
        if utility
        else "'water' AS utility",
        f"COALESCE({SERVICE_PICK_SQL.format(col=SERVICE_STATE)}, 'disconnected') AS service_state"
        if service
        else "'connected' AS service_state",
    ]
    if service:
        cols.append(
            "a.account_class = 'residential' AND p.parent_id IS NULL AND NOT EXISTS "
            "(SELECT 1 FROM accounts_premise u WHERE u.parent_id = p.id) AS single_family"
        )
    else:
        cols.append("false AS single_family")
    return ",\n           ".join(cols)


def _household_cols(needed: bool) -> str:
    """Latest hardship interview (poverty %, benefits), active programs, last SB 998 waiver."""
    if not needed:
        return (
            "NULL::numeric AS fpl, ARRAY[]::varchar[] AS benefits, ARRAY[]::varchar[] AS programs, "
            "NULL::date AS last_waiver"
        )
    return """(SELECT hi.fpl_percent FROM counseling_hardshipinterview hi WHERE hi.account_id = a.id
            ORDER BY hi.conducted_at DESC, hi.id DESC LIMIT 1) AS fpl,
           COALESCE((SELECT hi.benefits::varchar[] FROM counseling_hardshipinterview hi
                     WHERE hi.account_id = a.id ORDER BY hi.conducted_at DESC, hi.id DESC LIMIT 1),
                    ARRAY[]::varchar[]) AS benefits,
           ARRAY(SELECT pe.program::varchar FROM counseling_programenrollment pe
                 WHERE pe.account_id = a.id AND pe.status = 'active'
                   AND pe.certified_on <= %(as_of)s) AS programs,
           (SELECT max((ev.data->>'on')::date) FROM common_auditevent ev
             WHERE ev.verb = 'late_fee.waived' AND ev.account_id = a.id) AS last_waiver"""
