"""Worked cases, derived by hand from rules.md, for TX_PUC_ELECTRIC, TX_PUC_WATER, FED_BANKRUPTCY
layered on a state preset, and two presets combined (§0: the most customer-protective result)."""

from dataclasses import replace
from datetime import date

from policy_engine import amounts
from policy_engine.calendar import DEFAULT_HOLIDAYS
from policy_engine.decision import Outcome, Status
from policy_engine.engine import decide, delinquency
from policy_engine.facts import (
    AccountFacts,
    ArrangementFact,
    BankruptcyFact,
    BillFact,
    InstallmentFact,
    NoticeFact,
    WeatherFact,
)
from policy_engine.policy import policy_build

from .builders import check, money, one_bill, pol, with_notices

S, D, B = Outcome.SATISFIED, Outcome.DEFERRED, Outcome.BLOCKED

# --- TX_PUC_ELECTRIC ----------------------------------------------------------------------------


def test_tx_electric_ten_days_then_the_day_after_lands_on_july_4():
    # Notice Tue 2026-06-23 + 10 = Fri 07-03; not before the day after (16 TAC 25.483(c)):
    # Sat 07-04, then Sunday: Mon 07-06. A printed date of Thu 07-02 cannot shorten the 10 days;
    # a printed Mon 07-06 moves it to Tue 07-07.
    bill = one_bill(date(2026, 6, 1))
    plain = decide(
        pol("TX_PUC_ELECTRIC"), with_notices(bill, ("shutoff", date(2026, 6, 23))), date(2026, 6, 30)
    )
    assert (plain.earliest_date, check(plain, "NOTICE_LEAD").until) == (date(2026, 7, 6), date(2026, 7, 4))
    short = with_notices(bill, NoticeFact("shutoff", date(2026, 6, 23), disconnect_on=date(2026, 7, 2)))
    assert decide(pol("TX_PUC_ELECTRIC"), short, date(2026, 6, 30)).earliest_date == date(2026, 7, 6)
    later = with_notices(bill, NoticeFact("shutoff", date(2026, 6, 23), disconnect_on=date(2026, 7, 6)))
    assert decide(pol("TX_PUC_ELECTRIC"), later, date(2026, 6, 30)).earliest_date == date(2026, 7, 7)


def test_tx_electric_heat_advisory_two_day_lookback_moves_a_planned_date():
    # Notice Tue 06-30 + 10 = Fri 07-10, day after Sat 07-11 -> Mon 07-13. A heat advisory issued
    # Sun 07-12 makes 07-12, 07-13 and 07-14 emergency days (that day or either of the two
    # preceding, 25.483(j)(1)(B)): Wed 07-15. One issued Thu 07-09 covers 07-09..07-11 only.
    facts = with_notices(one_bill(date(2026, 6, 1)), ("shutoff", date(2026, 6, 30)))
    sunday = replace(facts, weather=(WeatherFact(date(2026, 7, 12), heat_advisory=True),))
    d = decide(pol("TX_PUC_ELECTRIC"), sunday, date(2026, 7, 8))
    assert (d.status, d.earliest_date) == (Status.DEFERRED, date(2026, 7, 15))
    assert (d.deciding.code, d.deciding.until) == ("WEATHER_DEFER", date(2026, 7, 15))
    thursday = replace(facts, weather=(WeatherFact(date(2026, 7, 9), heat_advisory=True),))
    assert decide(pol("TX_PUC_ELECTRIC"), thursday, date(2026, 7, 8)).earliest_date == date(2026, 7, 13)


def test_tx_electric_freeze_rule_boundary_is_did_not_exceed_32():
    # Previous day (Mon 2026-01-19, MLK Day) high 32 °F ("did not exceed freezing") and today's
    # forecast 32 °F: an emergency on Tue 01-20, lifted Wed 01-21. A 33 °F previous day is not.
    facts = with_notices(one_bill(date(2026, 1, 2)), ("shutoff", date(2026, 1, 3)))
    frozen = replace(
        facts, weather=(WeatherFact(date(2026, 1, 19), high_f=32), WeatherFact(date(2026, 1, 20), high_f=32))
    )
    d = decide(pol("TX_PUC_ELECTRIC"), frozen, date(2026, 1, 20))
    assert (d.status, d.deciding.code, d.deciding.until) == (
        Status.BLOCKED,
        "WEATHER_BLOCK",
        date(2026, 1, 21),
    )
    thawed = replace(
        facts, weather=(WeatherFact(date(2026, 1, 19), high_f=33), WeatherFact(date(2026, 1, 20), high_f=30))
    )
    assert decide(pol("TX_PUC_ELECTRIC"), thawed, date(2026, 1, 20)).status == Status.ELIGIBLE


# --- TX_PUC_WATER -------------------------------------------------------------------------------


def test_tx_water_due_date_on_july_3_rolls_to_monday_and_the_clock_follows():
    # Billed Wed 2026-06-17, due Fri 07-03 (= bill + 16, allowed) but a holiday: due Mon 07-06
    # (16 TAC 24.165(b)). Current on 07-06, delinquent from Tue 07-07: the one-time $5 fee that
    # day, and a notice counts from 07-07: sent then, + 10 = Fri 07-17.
    bill = one_bill(date(2026, 7, 3), "80.00", bill_date=date(2026, 6, 17))
    policy = pol("TX_PUC_WATER")
    assert delinquency(policy, bill, date(2026, 7, 6)).status == "current"
    late = delinquency(policy, bill, date(2026, 7, 7))
    assert (late.status, late.days_delinquent, late.clock_start) == ("delinquent", 1, date(2026, 7, 6))
    assert amounts.late_fee(policy, bill, date(2026, 7, 6)).amount == money(0)
    assert amounts.late_fee(policy, bill, date(2026, 7, 7)).amount == money("5.00")
    early = decide(policy, with_notices(bill, ("shutoff", date(2026, 7, 6))), date(2026, 7, 14))
    assert "sent before Tue 2026-07-07" in check(early, "NOTICE_TOO_EARLY").reason
    facts = with_notices(bill, ("shutoff", date(2026, 7, 7)))
    assert decide(policy, facts, date(2026, 7, 14)).earliest_date == date(2026, 7, 17)
    assert decide(policy, facts, date(2026, 7, 17)).status == Status.ELIGIBLE


def test_tx_water_short_due_date_is_moved_to_16_days_then_past_labor_day():
    # Billed Thu 2026-08-20 with a printed due date of Mon 08-31 (11 days): at least 16 days =
    # Sat 09-05, a weekend, then Labor Day Mon 09-07: due Tue 09-08.
    bill = one_bill(date(2026, 8, 31), bill_date=date(2026, 8, 20))
    assert delinquency(pol("TX_PUC_WATER"), bill, date(2026, 9, 8)).status == "current"
    assert delinquency(pol("TX_PUC_WATER"), bill, date(2026, 9, 9)).clock_start == date(2026, 9, 8)


# --- FED_BANKRUPTCY -----------------------------------------------------------------------------


def test_366b_deadline_on_thanksgiving_rolls_and_federal_holidays_always_count():
    # Petition (= order for relief) Fri 2026-11-06 + 20 = Thu 11-26, Thanksgiving: Fri 11-27.
    # St. George also closes 11-27: Mon 11-30. FRBP 9006(a)(6): a federal holiday is a legal
    # holiday even if the utility's own calendar leaves it out.
    case = BankruptcyFact(7, date(2026, 11, 6))
    assert amounts.bankruptcy_deadline(pol("UT_ST_GEORGE"), case).until == date(2026, 11, 27)
    st_george = {**DEFAULT_HOLIDAYS, date(2026, 11, 27): "Day after Thanksgiving"}
    full = policy_build(presets=["UT_ST_GEORGE"], holidays=st_george)
    assert amounts.bankruptcy_deadline(full, case).until == date(2026, 11, 30)
    city_only = policy_build(presets=["UT_ST_GEORGE"], holidays=[date(2026, 7, 24), date(2026, 11, 27)])
    result = amounts.bankruptcy_deadline(city_only, case)
    assert result.until == date(2026, 11, 30) and "9006(a)" in result.citation


def test_chapter_11_period_ends_on_july_3_and_tx_rules_govern_post_petition_arrears():
    # Ch. 11 petition Thu 2026-06-04: the 30-day period runs 06-04..07-03 (petition + 29), a
    # holiday, so through Mon 07-06 (FRBP 9006(a)); the utility may act from Tue 07-07.
    # Post-petition bill due Mon 06-22; TX notice Tue 06-23 + 10 = Fri 07-03, day after Sat 07-04
    # -> Mon 07-06, earlier than the bankruptcy window allows.
    pre = BillFact(date(2026, 5, 1), date(2026, 5, 20), money(100))
    post = BillFact(date(2026, 6, 5), date(2026, 6, 22), money(60))
    facts = with_notices(
        AccountFacts(
            bills=(pre, post),
            bankruptcy=BankruptcyFact(11, date(2026, 6, 4), pre_petition_balance=money(100)),
        ),
        ("shutoff", date(2026, 6, 23)),
    )
    d = decide(pol("TX_PUC_ELECTRIC"), facts, date(2026, 6, 30))
    assert (d.status, d.deciding.code, d.deciding.until) == (
        Status.BLOCKED,
        "BANKRUPTCY_ASSURANCE_WINDOW",
        date(2026, 7, 7),
    )
    assert d.deciding.preset == "FED_BANKRUPTCY" and "9006(a)" in d.deciding.citation
    assert check(d, "NOTICE_LEAD", "TX_PUC_ELECTRIC").until == date(2026, 7, 4)
    assert d.earliest_date == date(2026, 7, 7)
    after = decide(pol("TX_PUC_ELECTRIC"), facts, date(2026, 7, 7))
    assert (after.status, after.past_due) == (Status.ELIGIBLE, money("160.00"))


def test_decision_replayed_before_a_later_dismissal_still_protects_pre_petition_debt():
    # Petition Mon 2026-03-02, dismissed Wed 04-15. Replayed for Wed 04-01 (the what-if page, a
    # stored decision) the case was open: pre-petition debt alone never justifies action (366(a)),
    # no late fee on it, no agency referral.
    ready = with_notices(one_bill(date(2026, 1, 5)), ("shutoff", date(2026, 1, 6)))
    facts = replace(ready, bankruptcy=BankruptcyFact(7, date(2026, 3, 2), dismissed_on=date(2026, 4, 15)))
    d = decide(pol("PA_CH14"), facts, date(2026, 4, 1))
    assert (d.status, d.earliest_date, d.deciding.code) == (Status.BLOCKED, None, "BANKRUPTCY_PRE_PETITION")
    assert amounts.late_fee(pol("PA_CH14"), facts, date(2026, 4, 1)).amount == money(0)
    final = replace(facts, final_billed_on=date(2025, 12, 1), balance=money(100))
    assert amounts.referral_due(pol(), final, date(2026, 4, 1)).outcome == B
    assert amounts.referral_due(pol(), final, date(2026, 4, 15)).outcome == S
    assert check(decide(pol(), facts, date(2026, 4, 15)), "BANKRUPTCY").outcome == S
    # replayed for Fri 02-27, before the petition, there was no case yet: the normal rules
    # (due 01-05 + 60 = Fri 03-06).
    before = decide(pol(), facts, date(2026, 2, 27))
    assert not [c for c in before.checks if c.code.startswith("BANKRUPTCY")]
    assert before.earliest_date == date(2026, 3, 6)


# --- two presets combined -----------------------------------------------------------------------


def test_sb998_sixty_days_of_plan_default_beat_st_georges_next_day():
    # $200 due Sat 2026-06-20, notice Mon 06-22, plan made 06-25; installment of Thu 07-23 missed.
    # St. George alone: Fri 07-24. With SB 998 the plan holds 60 days: 07-23 + 8 = 07-31,
    # + 31 = 08-31 (39), + 21 = Mon 09-21; then a posted final notice 5 business days ahead [M]:
    # posted 09-21 at the earliest, 09-22 .. 09-25 (4), Mon 09-28 (5).
    bill = BillFact(date(2026, 6, 1), date(2026, 6, 20), money(200))
    plan = ArrangementFact(
        date(2026, 6, 25), 2, money(200), installments=(InstallmentFact(date(2026, 7, 23), money(100)),)
    )
    facts = with_notices(AccountFacts(bills=(bill,), arrangements=(plan,)), ("shutoff", date(2026, 6, 22)))
    assert decide(pol("UT_ST_GEORGE"), facts, date(2026, 7, 24)).status == Status.ELIGIBLE
    d = decide(pol("UT_ST_GEORGE", "CA_SB998_WATER"), facts, date(2026, 8, 1))
    assert (d.status, d.deciding.code, d.deciding.preset, d.deciding.until) == (
        Status.BLOCKED,
        "ARRANGEMENT_TOLERANCE",
        "CA_SB998_WATER",
        date(2026, 9, 21),
    )
    assert d.earliest_date == date(2026, 9, 28)


def test_sb998_with_phoenix_waits_60_days_and_still_uses_low_flow():
    # Due Fri 2026-08-07, notice 08-24. Phoenix alone: Tue 09-08 (see test_worked_az_ut). SB 998:
    # 08-07 + 24 = 08-31, + 30 = 09-30 (54), + 6 = Tue 10-06. Combined: the longer wait, and the
    # milder action (low-flow); plan terms take the longer term, so no fixed 3-month split.
    facts = with_notices(one_bill(date(2026, 8, 7)), ("shutoff", date(2026, 8, 24)))
    policy = pol("AZ_PHOENIX_WATER", "CA_SB998_WATER")
    d = decide(policy, facts, date(2026, 9, 8))
    assert (d.status, d.earliest_date, d.action) == (Status.DEFERRED, date(2026, 10, 6), "low_flow")
    assert (d.deciding.code, d.deciding.preset) == ("DAYS_DELINQUENT", "CA_SB998_WATER")
    limits = amounts.arrangement_limits(policy, facts, date(2026, 9, 8), arrears=money(100))
    assert (limits.max_months, limits.fixed_months, limits.installments) == (12, None, ())


def test_mesa_with_texas_water_charges_no_late_fee_under_25():
    # Owing $24: Mesa none (< $25), Texas $5 flat; the lower fee applies (§0 min of fee caps).
    fee = amounts.late_fee_for(pol("TX_PUC_WATER", "AZ_MESA"), money(24))
    assert fee.amount == money(0) and fee.reason.endswith("[AZ_MESA]")
