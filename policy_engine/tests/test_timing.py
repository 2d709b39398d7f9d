"""Pipeline step 3 and 4: days delinquent, notice leads in calendar and business days, contact
attempts, occupant and posted notices, and the roll through blackout days. Every expected date
is worked out by hand from rules.md in the comment beside it."""

from dataclasses import replace
from datetime import date

from policy_engine.decision import Outcome, Status
from policy_engine.engine import decide, delinquency
from policy_engine.facts import (
    ArrangementFact,
    BillFact,
    ContactAttemptFact,
    InstallmentFact,
    NoticeFact,
)

from .builders import check, money, one_bill, pol, with_notices

S, D, B = Outcome.SATISFIED, Outcome.DEFERRED, Outcome.BLOCKED


def test_default_60_days_and_7_business_days_then_weekend_roll():
    # due Tue 2026-09-01 + 60 = Sat 10-31; notice Wed 10-21 + 7 business days = Fri 10-30.
    # The later gate is Sat 10-31: rolled past the weekend to Mon 11-02.
    facts = with_notices(one_bill(date(2026, 9, 1)), ("shutoff", date(2026, 10, 21)))
    d = decide(pol(), facts, date(2026, 10, 21))
    assert d.status == Status.DEFERRED
    assert d.earliest_date == date(2026, 11, 2)
    assert check(d, "DAYS_DELINQUENT").until == date(2026, 10, 31)
    assert check(d, "NOTICE_LEAD").until == date(2026, 10, 30)
    assert d.deciding.code == "BLACKOUT" and "Sun 2026-11-01" in d.deciding.reason
    assert decide(pol(), facts, date(2026, 11, 2)).status == Status.ELIGIBLE


def test_sb998_seven_business_days_skip_thanksgiving():
    # due 2026-09-15 + 60 = Sat 11-14; notice Wed 11-18 + 7 business days skips Thu 11-26 -> Mon 11-30.
    facts = with_notices(one_bill(date(2026, 9, 15)), ("shutoff", date(2026, 11, 18)))
    d = decide(pol("CA_SB998_WATER"), facts, date(2026, 11, 19))
    assert (d.status, d.earliest_date) == (Status.DEFERRED, date(2026, 11, 30))
    assert d.deciding.code == "NOTICE_LEAD"
    assert d.deciding.citation == "HSC 116908(a)(1)(A)"
    assert "7 business days" in d.deciding.reason and "Wed 2026-11-18" in d.deciding.reason
    assert decide(pol("CA_SB998_WATER"), facts, date(2026, 11, 27)).earliest_date == date(2026, 11, 30)
    assert decide(pol("CA_SB998_WATER"), facts, date(2026, 11, 30)).status == Status.ELIGIBLE


def test_days_delinquent_reason_has_the_numbers():
    facts = with_notices(one_bill(date(2026, 9, 1)), ("shutoff", date(2026, 9, 2)))
    d = decide(pol(), facts, date(2026, 10, 1))
    gate = check(d, "DAYS_DELINQUENT")
    assert gate.outcome == D
    assert "30 days since the due date Tue 2026-09-01; 60 required" in gate.reason
    assert d.days_delinquent == 30 and d.past_due == money("100.00")


def test_bill_date_clock_counts_from_the_bill():
    # Livingston CA: 60 days from the bill date 2026-07-01 = Sun 08-30 -> Mon 08-31.
    facts = with_notices(
        one_bill(date(2026, 7, 21), bill_date=date(2026, 7, 1)), ("shutoff", date(2026, 7, 22))
    )
    d = decide(pol(delinquency__clock_start="BILL_DATE"), facts, date(2026, 8, 3))
    assert check(d, "DAYS_DELINQUENT").until == date(2026, 8, 30)
    assert d.earliest_date == date(2026, 8, 31)
    assert decide(pol(), facts, date(2026, 8, 3)).earliest_date == date(2026, 9, 21)  # due + 60 = Sun 9-20


def test_no_notice_defers_with_the_date_a_notice_today_would_allow():
    facts = one_bill(date(2026, 1, 20))
    d = decide(pol(), facts, date(2026, 4, 1))
    gate = check(d, "NOTICE_NOT_SENT")
    assert gate.outcome == D and gate.action_needed == "send the disconnection notice"
    assert gate.until == date(2026, 4, 10)  # Wed 4-01 + 7 business days
    assert d.earliest_date == date(2026, 4, 10)


def test_notice_sent_before_the_due_date_does_not_count():
    facts = with_notices(one_bill(date(2026, 3, 2)), ("shutoff", date(2026, 3, 1)))
    d = decide(pol(), facts, date(2026, 5, 5))
    assert "was sent before Tue 2026-03-03" in check(d, "NOTICE_TOO_EARLY").reason


def test_cpuc_notice_lead_is_mailing_lag_plus_ten_and_not_before_bill_plus_19():
    # Billed Mon 2026-03-02, printed due 03-16 is moved to 03-21 (19 days to pay).
    # Notice mailed Mon 03-23 (>= bill + 19 and >= due + 1): 5-day lag + 10 = Tue 04-07.
    facts = one_bill(date(2026, 3, 16), bill_date=date(2026, 3, 2))
    assert delinquency(pol("CA_CPUC_ENERGY"), facts, date(2026, 3, 21)).status == "current"
    assert delinquency(pol("CA_CPUC_ENERGY"), facts, date(2026, 3, 22)).status == "delinquent"
    facts = replace(
        with_notices(facts, ("shutoff", date(2026, 3, 23))),
        contact_attempts=(ContactAttemptFact(date(2026, 4, 5), "phone", reached=True),),
    )
    d = decide(pol("CA_CPUC_ENERGY"), facts, date(2026, 4, 1))
    assert check(d, "NOTICE_LEAD").until == date(2026, 4, 7)
    assert "after a 5-day mailing period" in check(d, "NOTICE_LEAD").reason
    assert check(d, "CONTACT_ATTEMPT").until == date(2026, 4, 6)  # reached 04-05 + 24 h
    assert d.earliest_date == date(2026, 4, 7)
    assert decide(pol("CA_CPUC_ENERGY"), facts, date(2026, 4, 7)).status == Status.ELIGIBLE


def test_cpuc_unreached_contact_needs_a_48_hour_notice():
    facts = with_notices(
        one_bill(date(2026, 3, 21), bill_date=date(2026, 3, 2)), ("shutoff", date(2026, 3, 23))
    )
    facts = replace(facts, contact_attempts=(ContactAttemptFact(date(2026, 4, 1), "phone", reached=False),))
    d = decide(pol("CA_CPUC_ENERGY"), facts, date(2026, 4, 7))
    gate = check(d, "CONTACT_FALLBACK_NOTICE")
    assert (gate.outcome, gate.until) == (D, date(2026, 4, 9))  # given today, 48 h later
    posted = with_notices(facts, ("posted", date(2026, 4, 6)))
    d = decide(pol("CA_CPUC_ENERGY"), posted, date(2026, 4, 7))
    assert check(d, "CONTACT_FALLBACK_NOTICE").until == date(2026, 4, 8)
    assert d.earliest_date == date(2026, 4, 8)


def test_cpuc_no_contact_attempt_defers_and_says_what_to_do():
    facts = with_notices(
        one_bill(date(2026, 3, 21), bill_date=date(2026, 3, 2)), ("shutoff", date(2026, 3, 23))
    )
    d = decide(pol("CA_CPUC_ENERGY"), facts, date(2026, 4, 8))
    gate = check(d, "CONTACT_ATTEMPT")
    assert gate.outcome == D and gate.until == date(2026, 4, 9)
    assert "attempt to reach an adult" in gate.action_needed
    assert d.status == Status.DEFERRED


def test_ny_final_notice_not_before_due_plus_20_then_15_days():
    # due Mon 2026-03-02: a notice counts from Sun 03-22; sent Mon 03-23 -> + 15 = Tue 04-07.
    early = with_notices(one_bill(date(2026, 3, 2)), ("shutoff", date(2026, 3, 20)))
    d = decide(pol("NY_HEFPA"), early, date(2026, 3, 23))
    assert check(d, "NOTICE_TOO_EARLY").citation == "PSL 32(2)(d)"
    assert "before Sun 2026-03-22" in check(d, "NOTICE_TOO_EARLY").reason
    good = with_notices(one_bill(date(2026, 3, 2)), ("shutoff", date(2026, 3, 23)))
    d = decide(pol("NY_HEFPA"), good, date(2026, 3, 30))
    assert check(d, "NOTICE_LEAD").until == date(2026, 4, 7)
    assert decide(pol("NY_HEFPA"), good, date(2026, 4, 7)).status == Status.ELIGIBLE


def test_ny_multiple_dwelling_occupants_15_days_served_18_mailed():
    base = replace(
        with_notices(one_bill(date(2026, 3, 2)), ("shutoff", date(2026, 3, 23))), multiple_dwelling=True
    )
    mailed = with_notices(base, NoticeFact("occupant", date(2026, 3, 23), "mail"))
    posted = with_notices(base, NoticeFact("occupant", date(2026, 3, 23), "posted"))
    assert decide(pol("NY_HEFPA"), mailed, date(2026, 4, 7)).earliest_date == date(2026, 4, 10)  # 03-23 + 18
    assert decide(pol("NY_HEFPA"), posted, date(2026, 4, 7)).status == Status.ELIGIBLE  # 03-23 + 15


def test_default_occupant_notice_for_landlord_owned_premise():
    facts = replace(
        with_notices(one_bill(date(2026, 9, 1)), ("shutoff", date(2026, 10, 21))), landlord_owned=True
    )
    d = decide(pol(), facts, date(2026, 10, 26))
    gate = check(d, "OCCUPANT_NOTICE")
    assert gate.outcome == D and gate.action_needed == "notify the occupants"
    assert gate.until == date(2026, 11, 5)  # sent today (10-26) + 10
    notified = with_notices(facts, ("occupant", date(2026, 10, 21)))
    d = decide(pol(), notified, date(2026, 10, 26))
    assert check(d, "OCCUPANT_NOTICE").until == date(2026, 10, 31)
    assert d.earliest_date == date(2026, 11, 2)


def test_pa_ten_days_contact_on_two_days_and_winter_posting():
    # due Mon 2026-03-02; notice Tue 03-03 + 10 = Fri 03-13; calls on Thu 03-05 and Fri 03-06 -> + 3 days
    # = Mon 03-09; March is a winter month: a notice posted within 48 h before (Wed 03-11 .. 03-13).
    facts = with_notices(one_bill(date(2026, 3, 2)), ("shutoff", date(2026, 3, 3)))
    one_call = replace(facts, contact_attempts=(ContactAttemptFact(date(2026, 3, 5)),))
    d = decide(pol("PA_CH14"), one_call, date(2026, 3, 6))
    assert "calls on 2 separate days" in check(d, "CONTACT_ATTEMPT").reason
    two_calls = replace(
        facts, contact_attempts=(ContactAttemptFact(date(2026, 3, 5)), ContactAttemptFact(date(2026, 3, 6)))
    )
    d = decide(pol("PA_CH14"), two_calls, date(2026, 3, 13))
    assert check(d, "CONTACT_ATTEMPT").until == date(2026, 3, 9)
    assert check(d, "NOTICE_LEAD").until == date(2026, 3, 13)
    posting = check(d, "WINTER_POSTING")
    assert posting.outcome == D and "Wed 2026-03-11" in posting.action_needed
    assert d.status == Status.DEFERRED
    posted = with_notices(two_calls, ("posted", date(2026, 3, 12)))
    d = decide(pol("PA_CH14"), posted, date(2026, 3, 13))
    assert d.status == Status.ELIGIBLE and check(d, "WINTER_POSTING").outcome == S


def test_pa_in_person_contact_replaces_winter_posting():
    facts = replace(
        with_notices(one_bill(date(2026, 3, 2)), ("shutoff", date(2026, 3, 3))),
        contact_attempts=(ContactAttemptFact(date(2026, 3, 10), "visit", reached=True),),
    )
    d = decide(pol("PA_CH14"), facts, date(2026, 3, 13))
    assert d.status == Status.ELIGIBLE
    assert "reached in person" in check(d, "WINTER_POSTING").reason


def test_pa_notice_expires_after_60_days():
    # notice Mon 2026-01-05, valid 60 days through Fri 03-06; on 03-10 a new notice is needed (+10 = 03-20).
    facts = with_notices(one_bill(date(2026, 1, 2)), ("shutoff", date(2026, 1, 5)))
    d = decide(pol("PA_CH14"), facts, date(2026, 3, 10))
    gate = check(d, "NOTICE_EXPIRED")
    assert gate.outcome == D and "expired after 60 days" in gate.reason
    assert gate.until == date(2026, 3, 20)


def test_pa_notice_validity_is_rechecked_against_the_rolled_date():
    # poverty 200%: winter block to Apr 1; a notice of Jan 20 is valid only through Jan 20 + 60 = Mar 21.
    facts = replace(
        with_notices(one_bill(date(2026, 1, 5)), ("shutoff", date(2026, 1, 20))),
        poverty_pct=money(200),
        contact_attempts=(ContactAttemptFact(date(2026, 2, 2), "visit"),),
    )
    d = decide(pol("PA_CH14"), facts, date(2026, 3, 10))
    assert d.status == Status.BLOCKED and d.earliest_date == date(2026, 4, 1)
    assert check(d, "NOTICE_EXPIRES").action_needed == "send a new disconnection notice"


def test_tx_electric_disconnects_from_the_day_after_the_stated_date():
    # notice Tue 2026-03-03 stating Tue 03-17: from Wed 03-18 (not 03-13 + 1).
    facts = with_notices(
        one_bill(date(2026, 3, 2)), NoticeFact("shutoff", date(2026, 3, 3), disconnect_on=date(2026, 3, 17))
    )
    d = decide(pol("TX_PUC_ELECTRIC"), facts, date(2026, 3, 10))
    assert d.earliest_date == date(2026, 3, 18)
    plain = with_notices(one_bill(date(2026, 3, 2)), ("shutoff", date(2026, 3, 3)))
    assert decide(pol("TX_PUC_ELECTRIC"), plain, date(2026, 3, 10)).earliest_date == date(
        2026, 3, 16
    )  # Sat 14


def test_tx_water_due_date_at_least_16_days_and_weekend_rolls():
    # billed 2026-03-02 with a printed due date of 03-10: moved to 03-18.
    facts = one_bill(date(2026, 3, 10), bill_date=date(2026, 3, 2))
    assert delinquency(pol("TX_PUC_WATER"), facts, date(2026, 3, 18)).status == "current"
    assert delinquency(pol("TX_PUC_WATER"), facts, date(2026, 3, 19)).days_delinquent == 1
    # billed 03-05, due Sat 03-21: rolls to Mon 03-23.
    weekend = one_bill(date(2026, 3, 21), bill_date=date(2026, 3, 5))
    assert delinquency(pol("TX_PUC_WATER"), weekend, date(2026, 3, 23)).status == "current"
    assert delinquency(pol("TX_PUC_WATER"), weekend, date(2026, 3, 24)).clock_start == date(2026, 3, 23)


def test_az_sewer_past_due_then_delinquent_then_five_days():
    facts = replace(one_bill(date(2026, 3, 2)), utility="sewer")
    policy = pol("AZ_ACC_SEWER")
    assert delinquency(policy, facts, date(2026, 3, 2)).status == "current"
    assert delinquency(policy, facts, date(2026, 3, 12)).status == "past_due"  # 10 days after due
    assert delinquency(policy, facts, date(2026, 3, 13)).status == "delinquent"
    d = decide(policy, with_notices(facts, ("shutoff", date(2026, 3, 3))), date(2026, 3, 16))
    assert check(d, "DAYS_DELINQUENT").until == date(2026, 3, 17)  # due + 10 + 5


def test_muni_final_notice_48_hours_and_contact_24_hours():
    facts = with_notices(one_bill(date(2026, 9, 1)), ("shutoff", date(2026, 10, 21)))
    d = decide(pol("CA_MUNI_WATER"), facts, date(2026, 11, 2))
    assert check(d, "FINAL_NOTICE").action_needed.startswith("send the final")
    assert check(d, "FINAL_NOTICE").until == date(2026, 11, 4)
    ready = replace(
        with_notices(facts, ("final", date(2026, 10, 30))),
        contact_attempts=(ContactAttemptFact(date(2026, 10, 30), reached=True),),
    )
    d = decide(pol("CA_MUNI_WATER"), ready, date(2026, 11, 2))
    assert check(d, "FINAL_NOTICE").until == date(2026, 11, 1)
    assert d.status == Status.ELIGIBLE


def test_az_third_party_gets_five_days():
    facts = replace(
        with_notices(one_bill(date(2026, 3, 2)), ("shutoff", date(2026, 3, 3)), ("final", date(2026, 3, 11))),
        third_party_designated=True,
    )
    d = decide(pol("AZ_ACC_ELECTRIC"), facts, date(2026, 3, 16))
    assert check(d, "THIRD_PARTY_NOTICE").until == date(2026, 3, 21)
    told = with_notices(facts, NoticeFact("shutoff", date(2026, 3, 4), "third_party"))
    d = decide(pol("AZ_ACC_ELECTRIC"), told, date(2026, 3, 16))
    assert check(d, "THIRD_PARTY_NOTICE").until == date(2026, 3, 9)
    assert d.status == Status.ELIGIBLE


def test_sb998_plan_default_sixty_days_then_five_business_day_posting():
    # Bill due 2026-05-20, in a plan made 06-01; installment of 07-01 missed: non-compliance from 07-01,
    # disconnection only after 60 days (Sun 08-30); a notice posted Mon 08-31 + 5 business days
    # skipping Labor Day (09-07) = Tue 09-08.
    bill = BillFact(date(2026, 5, 1), date(2026, 5, 20), money(300))
    plan = ArrangementFact(
        date(2026, 6, 1), 3, money(300), installments=(InstallmentFact(date(2026, 7, 1), money(100)),)
    )
    facts = with_notices(
        replace(one_bill(date(2026, 5, 20)), bills=(bill,), arrangements=(plan,)),
        ("shutoff", date(2026, 5, 25)),
    )
    d = decide(pol("CA_SB998_WATER"), facts, date(2026, 8, 1))
    assert d.deciding.code == "ARRANGEMENT_TOLERANCE" and d.deciding.until == date(2026, 8, 30)
    d = decide(pol("CA_SB998_WATER"), facts, date(2026, 8, 31))
    assert check(d, "PLAN_DEFAULT_POSTING").action_needed == "post the final notice at the property"
    posted = with_notices(facts, ("posted", date(2026, 8, 31)))
    d = decide(pol("CA_SB998_WATER"), posted, date(2026, 9, 1))
    assert d.earliest_date == date(2026, 9, 8)
    assert check(d, "PLAN_DEFAULT_POSTING").citation == "HSC 116910 [M]"  # unverified: confirm with counsel


def test_st_george_plan_default_allows_next_day_without_notice():
    bill = BillFact(date(2026, 2, 1), date(2026, 2, 20), money(200))
    plan = ArrangementFact(
        date(2026, 2, 25), 2, money(200), installments=(InstallmentFact(date(2026, 3, 10), money(100)),)
    )
    facts = replace(one_bill(date(2026, 2, 20)), bills=(bill,), arrangements=(plan,))
    d = decide(pol("UT_ST_GEORGE"), facts, date(2026, 3, 11))
    assert d.status == Status.ELIGIBLE
    assert check(d, "PLAN_DEFAULT_NEXT_DAY").until == date(2026, 3, 11)
    assert "NOTICE_NOT_SENT" not in {c.code for c in d.checks}
    assert decide(pol("UT_ST_GEORGE"), facts, date(2026, 3, 10)).deciding.code == "ARRANGEMENT_GOOD_STANDING"


def test_friday_and_day_before_holiday_blackout():
    # Philadelphia-style: candidate Thu 2026-07-02 is the day before the Jul 3 holiday (a Friday).
    policy = pol(
        blackout__fridays=True, blackout__day_before_holiday=True, delinquency__min_days_before_disconnect=0
    )
    facts = with_notices(one_bill(date(2026, 6, 1)), ("shutoff", date(2026, 6, 23)))
    d = decide(policy, facts, date(2026, 7, 2))
    assert d.earliest_date == date(2026, 7, 6)
    reasons = " ".join(c.reason for c in d.checks if c.code == "BLACKOUT")
    assert "the day before a holiday" in reasons and "a Friday and a holiday" in reasons


def test_holiday_blackout_can_be_switched_off():
    facts = with_notices(one_bill(date(2026, 6, 1)), ("shutoff", date(2026, 6, 23)))
    policy = pol(blackout__holidays=False, delinquency__min_days_before_disconnect=0)
    assert decide(policy, facts, date(2026, 7, 3)).status == Status.ELIGIBLE
    assert decide(
        pol(delinquency__min_days_before_disconnect=0), facts, date(2026, 7, 3)
    ).earliest_date == date(2026, 7, 6)


def test_cutoff_time_before_a_closed_day_is_a_field_instruction():
    policy = pol(blackout__cutoff_time_before_closed_day="12:00", delinquency__min_days_before_disconnect=0)
    facts = with_notices(one_bill(date(2026, 6, 1)), ("shutoff", date(2026, 6, 2)))
    d = decide(policy, facts, date(2026, 7, 2))
    assert d.status == Status.ELIGIBLE
    assert "finish before 12:00" in check(d, "BLACKOUT").reason


def test_pa_a_later_notice_still_valid_on_the_date_avoids_a_resend():
    facts = replace(
        with_notices(
            one_bill(date(2026, 1, 5)), ("shutoff", date(2026, 1, 20)), ("shutoff", date(2026, 3, 2))
        ),
        poverty_pct=money(200),
        contact_attempts=(ContactAttemptFact(date(2026, 3, 3), "visit"),),
    )
    d = decide(pol("PA_CH14"), facts, date(2026, 3, 10))
    assert d.earliest_date == date(2026, 4, 1)
    assert "NOTICE_EXPIRES" not in {c.code for c in d.checks}
