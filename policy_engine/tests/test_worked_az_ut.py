"""Worked cases, derived by hand from rules.md, for AZ_PHOENIX_WATER (with a minimum-arrears
threshold and the AZ weather rules), AZ_MESA and UT_ST_GEORGE (with St. George's own holiday
calendar: the federal days plus Pioneer Day, Fri 2026-07-24, and the day after Thanksgiving,
Fri 2026-11-27, rules.md §0)."""

from dataclasses import replace
from datetime import date

from policy_engine import amounts
from policy_engine.calendar import DEFAULT_HOLIDAYS
from policy_engine.decision import Outcome, Status
from policy_engine.engine import decide
from policy_engine.facts import (
    AccountFacts,
    ArrangementFact,
    BillFact,
    DepositFact,
    InstallmentFact,
    WeatherFact,
)
from policy_engine.policy import policy_build

from .builders import check, money, one_bill, pol, with_notices

B = Outcome.BLOCKED
ST_GEORGE_DAYS = {**DEFAULT_HOLIDAYS, date(2026, 7, 24): "Pioneer Day", date(2026, 11, 27): "Day after"}
ST_GEORGE = policy_build(presets=["UT_ST_GEORGE"], holidays=ST_GEORGE_DAYS)

# --- AZ_PHOENIX_WATER ---------------------------------------------------------------------------


def test_phoenix_31_days_lands_on_labor_day_and_single_family_homes_get_low_flow():
    # Due Fri 2026-08-07 + 31: + 24 = 08-31, + 7 = Mon 09-07 (Labor Day) -> Tue 09-08.
    # Notice Mon 08-24 + 7 business days (DEFAULT lead) = 08-25 .. 08-28 (4), 08-31 (5),
    # 09-01 (6), Wed 09-02 (7).
    facts = with_notices(one_bill(date(2026, 8, 7)), ("shutoff", date(2026, 8, 24)))
    d = decide(pol("AZ_PHOENIX_WATER"), facts, date(2026, 9, 1))
    assert check(d, "DAYS_DELINQUENT").until == date(2026, 9, 7)
    assert check(d, "NOTICE_LEAD").until == date(2026, 9, 2)
    assert (d.status, d.earliest_date, d.action) == (Status.DEFERRED, date(2026, 9, 8), "low_flow")
    assert d.deciding.code == "BLACKOUT" and "Mon 2026-09-07 is a holiday" in d.deciding.reason
    ready = decide(pol("AZ_PHOENIX_WATER"), facts, date(2026, 9, 8))
    assert (ready.status, ready.action) == (Status.ELIGIBLE, "low_flow")
    apartment = decide(pol("AZ_PHOENIX_WATER"), replace(facts, single_family=False), date(2026, 9, 8))
    assert apartment.action == "disconnect"


def test_phoenix_plan_is_the_balance_over_three_months_with_the_remainder_last():
    # "Entire balance split over next 3 months": $100.00 / 3 = 33.33, 33.33 and 33.34 (equal parts
    # rounded down, the last installment absorbs the remainder, as counseling schedules them).
    limits = amounts.arrangement_limits(
        pol("AZ_PHOENIX_WATER"), AccountFacts(), date(2026, 9, 1), arrears=money(100)
    )
    assert (limits.fixed_months, limits.max_months, limits.min_months) == (3, 3, 3)
    assert limits.installments == (money("33.33"), money("33.33"), money("33.34"))
    assert "the balance $100.00 split over 3 months ($33.33, $33.33, $33.34)" in limits.checks[0].reason
    # $200.00 / 3 = 66.666...: 66.66 twice (rounded down), the last 66.68, summing to $200.00.
    split = amounts.arrangement_limits(
        pol("AZ_PHOENIX_WATER"), AccountFacts(), date(2026, 9, 1), arrears=money(200)
    )
    assert split.installments == (money("66.66"), money("66.66"), money("66.68"))
    assert (
        amounts.arrangement_limits(pol(), AccountFacts(), date(2026, 9, 1), arrears=money(100)).installments
        == ()
    )


def test_phoenix_broken_plan_lookback_is_six_calendar_months():
    # As of Tue 2026-03-10 the window is the six months after 2025-09-10 (§0 calendar months):
    # broken Thu 2025-09-11 is inside it, broken Wed 2025-09-10 is not.
    def broken(on: date) -> AccountFacts:
        plan = ArrangementFact(date(2025, 7, 1), 3, money(90), status="broken", ended_on=on)
        return AccountFacts(arrangements=(plan,))

    inside = amounts.arrangement_limits(
        pol("AZ_PHOENIX_WATER"), broken(date(2025, 9, 11)), date(2026, 3, 10), arrears=money(300)
    )
    assert not inside.eligible
    assert "Thu 2025-09-11, within 6 months" in check_reason(inside, "ARRANGEMENT_BROKEN_RECENTLY")
    outside = amounts.arrangement_limits(
        pol("AZ_PHOENIX_WATER"), broken(date(2025, 9, 10)), date(2026, 3, 10), arrears=money(300)
    )
    assert outside.eligible


def check_reason(limits, code: str) -> str:
    return next(c.reason for c in limits.checks if c.code == code and c.outcome == B)


def test_phoenix_deposit_applied_only_after_12_on_time_months():
    # Held since 2025-09-08: 12 months on Tue 2026-09-08; applied within 30 days = Thu 10-08.
    # Phoenix wants on-time payments (0 late), DEFAULT tolerates 2 (APS).
    held = DepositFact(money(150), date(2025, 9, 8))
    ok = amounts.deposit_refund_check(pol("AZ_PHOENIX_WATER"), AccountFacts(), held, date(2026, 9, 8))
    assert (ok.eligible, ok.due_on) == (True, date(2026, 10, 8))
    one_late = AccountFacts(late_payments_12m=1)
    assert not amounts.deposit_refund_check(
        pol("AZ_PHOENIX_WATER"), one_late, held, date(2026, 9, 8)
    ).eligible
    assert amounts.deposit_refund_check(pol(), one_late, held, date(2026, 9, 8)).eligible


def test_phoenix_with_an_srp_style_minimum_of_300_counts_only_what_is_still_past_due():
    # rules.md §1.1: SRP does not disconnect balances < $300 (min_arrears_for_disconnect). Due
    # Fri 2026-08-07, notice 08-24: Phoenix timing allows Tue 09-08 (Labor Day case above). $300.00
    # past due reaches the minimum; a $0.01 payment leaves $299.99, which is below it.
    policy = pol("AZ_PHOENIX_WATER", protections__min_arrears_for_disconnect="300")
    facts = with_notices(one_bill(date(2026, 8, 7), "300.00"), ("shutoff", date(2026, 8, 24)))
    assert decide(policy, facts, date(2026, 9, 8)).status == Status.ELIGIBLE
    short = with_notices(one_bill(date(2026, 8, 7), "300.00", paid="0.01"), ("shutoff", date(2026, 8, 24)))
    d = decide(policy, short, date(2026, 9, 8))
    assert (d.status, d.earliest_date, d.deciding.code) == (Status.BLOCKED, None, "MIN_ARREARS")
    assert "$299.99 is below the $300.00 minimum" in d.deciding.reason


def test_az_moratorium_ends_after_october_15_and_temperature_mode_reads_forecasts():
    # AZ_ACC_ELECTRIC (rules.md §1.4.2): the calendar moratorium covers Jun 1 - Oct 15 inclusive.
    # Ready account (notice 01-06 + 10, final notice 01-20 + 48 h).
    facts = with_notices(
        one_bill(date(2026, 1, 5)), ("shutoff", date(2026, 1, 6)), ("final", date(2026, 1, 20))
    )
    electric = pol("AZ_ACC_ELECTRIC")
    assert decide(electric, facts, date(2026, 5, 29)).status == Status.ELIGIBLE  # Fri before Jun 1
    held = decide(electric, facts, date(2026, 10, 15))
    assert (held.deciding.code, held.deciding.until) == ("WEATHER_BLOCK", date(2026, 10, 16))
    assert decide(electric, facts, date(2026, 10, 16)).status == Status.ELIGIBLE
    # Temperature mode: no disconnection when the forecast is higher than 95 °F or does not exceed
    # 32 °F, within 24 h: on Tue 07-07 a 96 °F forecast for Wed 07-08 blocks through 07-08.
    temp = pol("AZ_ACC_ELECTRIC", weather__mode="TEMPERATURE")
    hot = replace(facts, weather=(WeatherFact(date(2026, 7, 8), high_f=96),))
    d = decide(temp, hot, date(2026, 7, 7))
    assert (d.deciding.code, d.deciding.until, d.earliest_date) == (
        "WEATHER_BLOCK",
        date(2026, 7, 9),
        date(2026, 7, 9),
    )
    warm = replace(facts, weather=(WeatherFact(date(2026, 7, 8), high_f=95),))
    assert decide(temp, warm, date(2026, 7, 7)).status == Status.ELIGIBLE
    cold = replace(facts, weather=(WeatherFact(date(2026, 12, 1), high_f=32),))
    assert decide(temp, cold, date(2026, 12, 1)).deciding.until == date(2026, 12, 2)
    mild = replace(facts, weather=(WeatherFact(date(2026, 12, 1), high_f=33),))
    assert decide(temp, mild, date(2026, 12, 1)).status == Status.ELIGIBLE


# --- AZ_MESA ------------------------------------------------------------------------------------


def test_mesa_late_fee_starts_the_day_after_due_even_on_a_holiday_and_rounds_half_up():
    # Due Fri 2026-07-03: "delinquent 1 day after due date" (Mesa does not roll due dates), so no
    # fee on 07-03 and a fee on Sat 07-04. 2% of $312.75 = 6.255 -> $6.26 (half up, §0 Money).
    facts = one_bill(date(2026, 7, 3), "312.75")
    assert amounts.late_fee(pol("AZ_MESA"), facts, date(2026, 7, 3)).amount == money(0)
    fee = amounts.late_fee(pol("AZ_MESA"), facts, date(2026, 7, 4))
    assert fee.amount == money("6.26") and "max(2% of the past-due balance of $312.75 = $6.26" in fee.reason


def test_mesa_no_late_fee_when_what_is_still_owed_is_under_25():
    # A $40 bill with $16 paid leaves $24 past due (< $25: none); with $15 paid, $25: max($0.50, $5).
    partly = one_bill(date(2026, 7, 3), "40.00", paid="16.00")
    assert amounts.late_fee(pol("AZ_MESA"), partly, date(2026, 7, 6)).amount == money(0)
    assert amounts.late_fee(
        pol("AZ_MESA"), one_bill(date(2026, 7, 3), "40.00", paid="15.00"), date(2026, 7, 6)
    ).amount == money("5.00")


# --- UT_ST_GEORGE -------------------------------------------------------------------------------


def _plan_default_facts() -> AccountFacts:
    bill = BillFact(date(2026, 6, 1), date(2026, 6, 20), money(200))
    plan = ArrangementFact(
        date(2026, 6, 25), 2, money(200), installments=(InstallmentFact(date(2026, 7, 23), money(100)),)
    )
    return AccountFacts(bills=(bill,), arrangements=(plan,), balance=money(200))


def test_st_george_missed_installment_next_day_is_pioneer_day():
    # Installment due Thu 2026-07-23 not paid: "disconnection next day without notice" = Fri 07-24,
    # Pioneer Day in St. George's calendar, then the weekend: Mon 07-27. On the federal calendar
    # alone 07-24 is a business day.
    facts = _plan_default_facts()
    assert decide(ST_GEORGE, facts, date(2026, 7, 23)).deciding.code == "ARRANGEMENT_GOOD_STANDING"
    d = decide(ST_GEORGE, facts, date(2026, 7, 24))
    assert (d.status, d.earliest_date) == (Status.DEFERRED, date(2026, 7, 27))
    assert check(d, "PLAN_DEFAULT_NEXT_DAY").until == date(2026, 7, 24)
    assert "NOTICE_NOT_SENT" not in {c.code for c in d.checks}
    assert decide(pol("UT_ST_GEORGE"), facts, date(2026, 7, 24)).status == Status.ELIGIBLE


def test_st_george_seven_business_days_skip_thanksgiving_and_the_day_after():
    # Due Tue 2026-09-15 + 60 = Sat 11-14. Notice Wed 11-18 + 7 St. George business days:
    # 11-19 (1), 11-20 (2), 11-23 (3), 11-24 (4), 11-25 (5), [Thu 26, Fri 27 closed, weekend],
    # Mon 11-30 (6), Tue 12-01 (7). The federal calendar alone gives Mon 11-30.
    facts = with_notices(one_bill(date(2026, 9, 15)), ("shutoff", date(2026, 11, 18)))
    d = decide(ST_GEORGE, facts, date(2026, 11, 19))
    assert (d.earliest_date, d.deciding.code) == (date(2026, 12, 1), "NOTICE_LEAD")
    assert decide(pol("UT_ST_GEORGE"), facts, date(2026, 11, 19)).earliest_date == date(2026, 11, 30)


def test_st_george_one_plan_a_year_counts_broken_plans_not_cancelled_ones():
    as_of = date(2026, 6, 1)
    broken = AccountFacts(arrangements=(ArrangementFact(date(2026, 1, 15), 2, money(200), status="broken"),))
    limits = amounts.arrangement_limits(ST_GEORGE, broken, as_of, arrears=money(150))
    assert (limits.eligible, limits.next_allowed_on) == (False, date(2027, 1, 15))
    cancelled = AccountFacts(
        arrangements=(ArrangementFact(date(2026, 1, 15), 2, money(200), status="cancelled"),)
    )
    assert amounts.arrangement_limits(ST_GEORGE, cancelled, as_of, arrears=money(150)).eligible


def test_st_george_deposit_refund_needs_three_years_of_timely_payments():
    # $125 renter deposit held since 2023-07-24: 36 months on Fri 2026-07-24; due within 30 days,
    # Sun 08-23. One late payment in the last 12 months and it stays.
    held = DepositFact(money(125), date(2023, 7, 24))
    ok = amounts.deposit_refund_check(ST_GEORGE, AccountFacts(), held, date(2026, 7, 24))
    assert (ok.eligible, ok.due_on) == (True, date(2026, 8, 23))
    early = amounts.deposit_refund_check(ST_GEORGE, AccountFacts(), held, date(2026, 7, 23))
    assert not early.eligible
    late = amounts.deposit_refund_check(ST_GEORGE, AccountFacts(late_payments_12m=1), held, date(2026, 7, 24))
    assert not late.eligible
