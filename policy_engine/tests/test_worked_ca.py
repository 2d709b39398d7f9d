"""Worked cases, derived by hand from rules.md, for DEFAULT (§3), CA_SB998_WATER and
CA_CPUC_ENERGY. Dates are chosen to cross weekends and the 2026 federal observed holidays of §0
(Jan 1, Jan 19, Feb 16, May 25, Jun 19, Jul 3, Sep 7, Oct 12, Nov 11, Nov 26, Dec 25); the
arithmetic is in the comment beside each expectation.

Durations follow §0's one off-by-one rule: N days after D is D + N (the day of D is not counted),
so a 30-day protection received on D holds through D + 30 and a notice valid 60 days may be
acted on through D + 60."""

from dataclasses import replace
from datetime import date

from policy_engine import amounts
from policy_engine.decision import Outcome, Status
from policy_engine.engine import decide, delinquency, notice_plans
from policy_engine.facts import (
    AccountFacts,
    ArrangementFact,
    BillFact,
    ContactAttemptFact,
    InstallmentFact,
    MedicalCertificateFact,
    NoticeFact,
    PaymentFact,
    PledgeFact,
)

from .builders import check, money, one_bill, pol, with_notices

S, D, B = Outcome.SATISFIED, Outcome.DEFERRED, Outcome.BLOCKED

# --- DEFAULT ------------------------------------------------------------------------------------


def test_default_due_on_the_observed_fourth_then_labor_day_inside_the_notice_lead():
    # Bill due Fri 2026-07-03 (Independence Day observed; DEFAULT does not roll due dates).
    # Delinquent from Sat 07-04. Day 60: 07-03 + 28 = 07-31, + 31 = 08-31 (59), + 1 = Tue 09-01.
    # Notice Mon 08-31 + 7 business days: Tue 09-01 (1), 09-02 (2), 09-03 (3), Fri 09-04 (4),
    # [Sat 5, Sun 6, Mon 7 Labor Day], Tue 09-08 (5), Wed 09-09 (6), Thu 09-10 (7).
    facts = with_notices(one_bill(date(2026, 7, 3)), ("shutoff", date(2026, 8, 31)))
    assert delinquency(pol(), facts, date(2026, 7, 3)).status == "current"
    assert delinquency(pol(), facts, date(2026, 7, 4)).days_delinquent == 1
    d = decide(pol(), facts, date(2026, 9, 9))
    assert (d.status, d.earliest_date, d.days_delinquent) == (Status.DEFERRED, date(2026, 9, 10), 68)
    assert check(d, "DAYS_DELINQUENT").outcome == S
    assert check(d, "DAYS_DELINQUENT").until == date(2026, 9, 1)
    assert (d.deciding.code, d.deciding.until) == ("NOTICE_LEAD", date(2026, 9, 10))
    assert decide(pol(), facts, date(2026, 9, 10)).status == Status.ELIGIBLE


def test_default_day_60_on_veterans_day_moves_to_the_next_business_day():
    # Due Sat 2026-09-12 + 60: + 18 = 09-30, + 31 = 10-31 (49), + 11 = Wed 11-11 (Veterans Day).
    # Notice Fri 10-30 + 7 business days = Mon 11-02 .. Fri 11-06 (5), Mon 11-09 (6), Tue 11-10 (7).
    # The later gate is 11-11, a holiday: Thu 11-12.
    facts = with_notices(one_bill(date(2026, 9, 12)), ("shutoff", date(2026, 10, 30)))
    d = decide(pol(), facts, date(2026, 11, 2))
    assert check(d, "DAYS_DELINQUENT").until == date(2026, 11, 11)
    assert check(d, "NOTICE_LEAD").until == date(2026, 11, 10)
    assert (d.status, d.earliest_date) == (Status.DEFERRED, date(2026, 11, 12))
    assert d.deciding.code == "BLACKOUT" and "Wed 2026-11-11 is a holiday" in d.deciding.reason
    assert decide(pol(), facts, date(2026, 11, 11)).earliest_date == date(2026, 11, 12)


def test_default_notice_plan_counts_back_from_christmas():
    # Due Mon 2026-10-26 + 60: + 5 = 10-31, + 30 = 11-30 (35), + 25 = Fri 12-25 (Christmas).
    # Plan: the last business day on or before 12-25 is Thu 12-24; 7 business days back:
    # 12-23 (1), 12-22 (2), 12-21 (3), 12-18 (4), 12-17 (5), 12-16 (6), Tue 12-15 (7).
    # Sent 12-15 it allows Thu 12-24; day 60 is 12-25, a holiday, then the weekend: Mon 12-28.
    plans = notice_plans(pol(), one_bill(date(2026, 10, 26)), date(2026, 11, 2))
    shutoff = next(p for p in plans if p.kind == "shutoff")
    assert (shutoff.send_on, shutoff.earliest_action) == (date(2026, 12, 15), date(2026, 12, 28))


def test_default_medical_certificate_received_on_a_holiday():
    # CERT_ONLY, 30 days: received Fri 2026-07-03, protects through 07-03 + 30 = Sun 08-02;
    # the first day after it is Mon 08-03, a business day.
    facts = replace(
        with_notices(one_bill(date(2026, 1, 5)), ("shutoff", date(2026, 1, 6))),
        medical_certificates=(MedicalCertificateFact(date(2026, 7, 3)),),
    )
    d = decide(pol(), facts, date(2026, 7, 10))
    assert (d.status, d.deciding.code) == (Status.BLOCKED, "MEDICAL_CERTIFICATE")
    assert d.deciding.until == date(2026, 8, 3) and d.earliest_date == date(2026, 8, 3)
    assert "through Sun 2026-08-02" in d.deciding.reason
    assert decide(pol(), facts, date(2026, 8, 2)).status == Status.BLOCKED
    assert decide(pol(), facts, date(2026, 8, 3)).status == Status.ELIGIBLE


# --- CA_SB998_WATER -----------------------------------------------------------------------------


def test_sb998_day_60_on_july_3_and_a_phone_contact_seven_business_days_ahead():
    # Due Mon 2026-05-04 + 60: + 27 = 05-31, + 30 = 06-30 (57), + 3 = Fri 07-03 (holiday).
    # Phone contact Wed 06-24 (HSC 116908: by phone or written notice) + 7 business days:
    # 06-25 (1), 06-26 (2), 06-29 (3), 06-30 (4), 07-01 (5), 07-02 (6), [07-03 holiday, weekend],
    # Mon 07-06 (7). Both gates end on Mon 07-06.
    facts = with_notices(one_bill(date(2026, 5, 4)), NoticeFact("shutoff", date(2026, 6, 24), "phone"))
    d = decide(pol("CA_SB998_WATER"), facts, date(2026, 7, 2))
    assert check(d, "DAYS_DELINQUENT").until == date(2026, 7, 3)
    assert (d.status, d.earliest_date) == (Status.DEFERRED, date(2026, 7, 6))
    assert (d.deciding.code, d.deciding.until) == ("NOTICE_LEAD", date(2026, 7, 6))
    assert "(phone)" in d.deciding.reason
    assert decide(pol("CA_SB998_WATER"), facts, date(2026, 7, 6)).status == Status.ELIGIBLE


READY = with_notices(one_bill(date(2026, 1, 5)), ("shutoff", date(2026, 1, 6)))


def test_sb998_medical_income_test_is_below_200_percent_and_the_hold_rolls_past_july_3():
    # All three of HSC 116910(a): certificate received Wed 2026-06-03, income 199.99% (< 200%:
    # financially unable), willing to plan. 30 days: through 06-03 + 30 = Fri 07-03; the first
    # unprotected day, Sat 07-04, is a weekend after the holiday: Mon 07-06.
    cert = MedicalCertificateFact(date(2026, 6, 3))
    facts = replace(READY, medical_certificates=(cert,), poverty_pct=money("199.99"), willing_to_plan=True)
    d = decide(pol("CA_SB998_WATER"), facts, date(2026, 6, 10))
    assert (d.status, d.deciding.code, d.deciding.until) == (
        Status.BLOCKED,
        "MEDICAL_CERTIFICATE",
        date(2026, 7, 4),
    )
    assert d.earliest_date == date(2026, 7, 6)
    # exactly 200% is not "< 200%": the certificate alone does not hold (HSC 116910(a)(2)).
    at_200 = decide(pol("CA_SB998_WATER"), replace(facts, poverty_pct=money(200)), date(2026, 6, 10))
    assert at_200.status == Status.ELIGIBLE
    assert "financial inability to pay" in check(at_200, "MEDICAL").reason


def test_sb998_unpaid_current_charges_for_60_days_end_the_plan_protection():
    # HSC 116910: on a plan, disconnection only if the customer fails to comply with it, or fails
    # to pay current charges, for 60 days. Arrears of $300 (due 04-20) on a plan made 05-01 whose
    # installments are all paid; the June bill (due Mon 06-22) is not paid.
    # 06-22 + 60: + 8 = 06-30, + 31 = 07-31 (39), + 21 = Fri 08-21. Then the final notice posted at
    # the property [M]: posted Mon 08-24 + 5 business days = 08-25 .. 08-28 (4), Mon 08-31 (5).
    old = BillFact(date(2026, 4, 1), date(2026, 4, 20), money(300))
    current = BillFact(date(2026, 6, 1), date(2026, 6, 22), money(45))
    paid = tuple(InstallmentFact(date(2026, m, 1), money(50), money(50)) for m in (6, 7, 8))
    plan = ArrangementFact(date(2026, 5, 1), 6, money(300), installments=paid)
    facts = with_notices(
        AccountFacts(bills=(old, current), arrangements=(plan,)), ("shutoff", date(2026, 4, 22))
    )
    d = decide(pol("CA_SB998_WATER"), facts, date(2026, 8, 10))
    assert (d.status, d.deciding.code, d.deciding.until) == (
        Status.BLOCKED,
        "ARRANGEMENT_TOLERANCE",
        date(2026, 8, 21),
    )
    assert "since Mon 2026-06-22" in d.deciding.reason
    posted = with_notices(facts, ("posted", date(2026, 8, 24)))
    d = decide(pol("CA_SB998_WATER"), posted, date(2026, 8, 25))
    assert (d.status, d.earliest_date) == (Status.DEFERRED, date(2026, 8, 31))
    assert d.deciding.code == "PLAN_DEFAULT_POSTING"
    assert decide(pol("CA_SB998_WATER"), posted, date(2026, 8, 31)).status == Status.ELIGIBLE
    # current charges paid: the plan is in good standing and holds.
    kept = replace(facts, bills=(old, replace(current, paid_amount=money(45))))
    assert decide(pol("CA_SB998_WATER"), kept, date(2026, 8, 25)).deciding.code == (
        "ARRANGEMENT_GOOD_STANDING"
    )


def test_sb998_low_income_reconnection_caps_at_the_statutory_amounts():
    # HSC 116914(a)(1): < 200% FPL pays at most $50 (normal hours) / $150 (after hours); the CPI
    # factor stays 1.000 until the utility enters one. Others pay the fee schedule.
    policy = pol("CA_SB998_WATER", reconnect__fee_normal="60", reconnect__fee_after_hours="175")
    low = one_bill(date(2026, 6, 1), benefit_programs=("WIC",))
    on = date(2026, 7, 6)
    assert amounts.reconnect_fee(policy, low, after_hours=False, on=on).amount == money("50.00")
    assert amounts.reconnect_fee(policy, low, after_hours=True, on=on).amount == money("150.00")
    regular = replace(low, benefit_programs=())
    assert amounts.reconnect_fee(policy, regular, after_hours=True, on=on).amount == money("175.00")


# --- CA_CPUC_ENERGY -----------------------------------------------------------------------------


def test_cpuc_19_days_to_pay_then_mailed_plus_5_plus_10_onto_a_weekend():
    # Bill mailed Fri 2026-06-12 with a printed due date of 06-26 (14 days): PUC 779.1(a) gives
    # 19 days, so due Wed 07-01 (bill + 19, the first day a notice counts); delinquent from Thu 07-02.
    # Notice mailed Fri 07-10: the 10 days start 5 days after mailing (07-15) and end Sat 07-25;
    # adult reached Thu 07-23 (+ 24 h = Fri 07-24). Sat 07-25 -> Mon 07-27.
    bill = one_bill(date(2026, 6, 26), bill_date=date(2026, 6, 12))
    assert delinquency(pol("CA_CPUC_ENERGY"), bill, date(2026, 7, 1)).status == "current"
    assert delinquency(pol("CA_CPUC_ENERGY"), bill, date(2026, 7, 2)).clock_start == date(2026, 7, 1)
    facts = replace(
        with_notices(bill, ("shutoff", date(2026, 7, 10))),
        contact_attempts=(ContactAttemptFact(date(2026, 7, 23), "phone", reached=True),),
    )
    d = decide(pol("CA_CPUC_ENERGY"), facts, date(2026, 7, 20))
    assert check(d, "NOTICE_LEAD").until == date(2026, 7, 25)
    assert check(d, "CONTACT_ATTEMPT").until == date(2026, 7, 24)
    assert (d.status, d.earliest_date, d.deciding.code) == (Status.DEFERRED, date(2026, 7, 27), "BLACKOUT")
    assert decide(pol("CA_CPUC_ENERGY"), facts, date(2026, 7, 27)).status == Status.ELIGIBLE


def test_cpuc_liheap_pledge_expected_on_july_3_holds_through_the_holiday_weekend():
    # Ready account (bill 01-02 due 01-21, notice 01-22 -> 02-06, adult reached 02-02).
    # Pledge made Mon 06-29, expected Fri 07-03: holds through 07-03; Sat 07-04 -> Mon 07-06.
    facts = replace(
        with_notices(one_bill(date(2026, 1, 21), bill_date=date(2026, 1, 2)), ("shutoff", date(2026, 1, 22))),
        contact_attempts=(ContactAttemptFact(date(2026, 2, 2), reached=True),),
        pledges=(PledgeFact(money(120), date(2026, 6, 29), date(2026, 7, 3)),),
    )
    d = decide(pol("CA_CPUC_ENERGY"), facts, date(2026, 7, 1))
    assert (d.status, d.deciding.code, d.deciding.until) == (
        Status.BLOCKED,
        "PLEDGE_PENDING",
        date(2026, 7, 4),
    )
    assert d.deciding.citation == "CPUC D.20-06-003"
    assert d.earliest_date == date(2026, 7, 6)
    assert decide(pol("CA_CPUC_ENERGY"), facts, date(2026, 7, 6)).status == Status.ELIGIBLE


def test_cpuc_plan_terms_fees_and_deposits():
    # D.20-06-003: 12-month plans (at least 3 if asked), no deposits, no reconnection fees;
    # Civ. Code 1719: $25 then $35 for returned payments.
    facts = AccountFacts(residential=True)
    limits = amounts.arrangement_limits(pol("CA_CPUC_ENERGY"), facts, date(2026, 7, 6), arrears=money(600))
    assert (limits.eligible, limits.max_months, limits.min_months) == (True, 12, 3)
    assert amounts.deposit_required(
        pol("CA_CPUC_ENERGY"), facts, as_of=date(2026, 7, 6), monthly_bills=[money(90)] * 12, owner=False
    ).amount == money(0)
    first = PaymentFact(date(2026, 7, 6), money(80), returned=True, returned_on=date(2026, 7, 6))
    again = PaymentFact(date(2026, 9, 8), money(80), returned=True, returned_on=date(2026, 9, 8))
    paid = replace(facts, payments=(first, again))
    assert amounts.nsf_outcome(pol("CA_CPUC_ENERGY"), paid, date(2026, 7, 7), returned=first).fee.amount == 25
    assert amounts.nsf_outcome(pol("CA_CPUC_ENERGY"), paid, date(2026, 9, 9), returned=again).fee.amount == 35
