"""Pipeline steps 1 and 2: applicability and every protection, each blocking with its code and
citation and lifting on the right date."""

from dataclasses import replace
from datetime import date

from policy_engine.decision import Outcome, Status
from policy_engine.engine import decide
from policy_engine.facts import (
    ArrangementFact,
    BankruptcyFact,
    BillFact,
    ContactAttemptFact,
    InstallmentFact,
    MedicalCertificateFact,
    PaymentFact,
    PledgeFact,
    WeatherFact,
)

from .builders import check, money, one_bill, pol, with_notices

S, D, B, NA = Outcome.SATISFIED, Outcome.DEFERRED, Outcome.BLOCKED, Outcome.NOT_APPLICABLE

# Due 2026-01-05, notice 01-06: every timing gate of DEFAULT is met by Mon 2026-03-09.
READY = with_notices(one_bill(date(2026, 1, 5)), ("shutoff", date(2026, 1, 6)))
AS_OF = date(2026, 3, 10)


def test_ready_account_is_eligible():
    d = decide(pol(), READY, AS_OF)
    assert (d.status, d.earliest_date, d.action) == (Status.ELIGIBLE, AS_OF, "disconnect")
    assert d.deciding.code == "DAYS_DELINQUENT"  # the last timing gate met


def test_nothing_past_due_is_not_delinquent():
    paid = replace(READY, bills=(BillFact(date(2025, 12, 16), date(2026, 1, 5), money(100), money(100)),))
    d = decide(pol(), paid, AS_OF)
    assert (d.status, d.earliest_date, d.past_due) == (Status.NOT_DELINQUENT, None, money("0.00"))


def test_appeal_pending_blocks_indefinitely():
    d = decide(pol(), replace(READY, appeal_pending=True), AS_OF)
    assert (d.status, d.earliest_date) == (Status.BLOCKED, None)
    assert d.deciding.code == "APPEAL_PENDING" and d.deciding.citation == "utility policy"
    assert decide(pol("CA_SB998_WATER"), replace(READY, appeal_pending=True), AS_OF).deciding.citation == (
        "HSC 116908(b)"
    )


def test_appeal_does_not_block_when_policy_says_so():
    d = decide(pol(protections__appeal_blocks=False), replace(READY, appeal_pending=True), AS_OF)
    assert d.status == Status.ELIGIBLE and check(d, "APPEAL").outcome == NA


def test_medical_certificate_blocks_for_its_validity():
    # received 03-01, 30 days: protects through 03-01 + 30 = Tue 03-31 (rules.md §0: N days after
    # D is D + N); Wed 04-01 is the first permitted day.
    facts = replace(READY, medical_certificates=(MedicalCertificateFact(date(2026, 3, 1)),))
    d = decide(pol(), facts, AS_OF)
    assert d.deciding.code == "MEDICAL_CERTIFICATE"
    assert (d.status, d.deciding.until, d.earliest_date) == (
        Status.BLOCKED,
        date(2026, 4, 1),
        date(2026, 4, 1),
    )
    assert decide(pol(), facts, date(2026, 3, 31)).status == Status.BLOCKED
    assert decide(pol(), facts, date(2026, 4, 1)).status == Status.ELIGIBLE
    dated = replace(
        READY, medical_certificates=(MedicalCertificateFact(date(2026, 3, 1), date(2026, 3, 15)),)
    )
    assert decide(pol(), dated, AS_OF).earliest_date == date(2026, 3, 16)


def test_sb998_medical_needs_all_three_conditions():
    cert = MedicalCertificateFact(date(2026, 3, 1))
    facts = replace(READY, medical_certificates=(cert,))
    d = decide(pol("CA_SB998_WATER"), facts, AS_OF)
    medical = check(d, "MEDICAL")
    assert medical.outcome == S
    assert "financial inability to pay and willingness to enter a payment plan" in medical.reason
    assert "116910" in medical.citation
    on_calfresh = replace(facts, benefit_programs=("CalFresh",))
    assert "willingness" in check(decide(pol("CA_SB998_WATER"), on_calfresh, AS_OF), "MEDICAL").reason
    willing = replace(on_calfresh, willing_to_plan=True)
    assert decide(pol("CA_SB998_WATER"), willing, AS_OF).deciding.code == "MEDICAL_CERTIFICATE"
    by_cert = replace(
        READY, medical_certificates=(replace(cert, financially_unable=True, willing_to_plan=True),)
    )
    assert decide(pol("CA_SB998_WATER"), by_cert, AS_OF).status == Status.BLOCKED


def test_az_medical_is_annual_and_needs_inability_to_pay():
    cert = MedicalCertificateFact(date(2025, 6, 1))
    facts = replace(READY, medical_certificates=(cert,), poverty_pct=money(150))
    d = decide(pol("AZ_ACC_ELECTRIC"), facts, AS_OF)
    # 365 days after 2025-06-01 is 2026-06-01, the last protected day
    assert d.deciding.code == "MEDICAL_CERTIFICATE" and d.deciding.until == date(2026, 6, 2)
    able = replace(facts, poverty_pct=money(400))
    assert check(decide(pol("AZ_ACC_ELECTRIC"), able, AS_OF), "MEDICAL").outcome == S


def test_pa_medical_renewals_capped_when_not_paying():
    certs = (MedicalCertificateFact(date(2026, 1, 10)), MedicalCertificateFact(date(2026, 3, 5), renewal=3))
    facts = replace(READY, medical_certificates=certs)
    d = decide(pol("PA_CH14"), facts, AS_OF)
    assert "at most 2 renewals protect" in check(d, "MEDICAL_RENEWAL_CAP").reason
    paying = replace(facts, payments=(PaymentFact(date(2026, 2, 1), money(20)),))
    assert decide(pol("PA_CH14"), paying, AS_OF).deciding.code == "MEDICAL_CERTIFICATE"
    second = replace(READY, medical_certificates=(MedicalCertificateFact(date(2026, 3, 5), renewal=2),))
    assert decide(pol("PA_CH14"), second, AS_OF).status == Status.BLOCKED


def test_life_support_blocks_without_end_date():
    d = decide(pol(), replace(READY, life_support=True), AS_OF)
    assert (d.status, d.earliest_date, d.deciding.code) == (Status.BLOCKED, None, "MEDICAL_CERTIFICATE")


def test_pending_pledge_blocks_until_expected_date_then_lapses():
    facts = replace(READY, pledges=(PledgeFact(money(80), date(2026, 3, 2), date(2026, 3, 20)),))
    d = decide(pol(), facts, AS_OF)
    assert d.deciding.code == "PLEDGE_PENDING" and d.deciding.until == date(2026, 3, 21)
    assert "$80.00" in d.deciding.reason and "Fri 2026-03-20" in d.deciding.reason
    assert decide(pol(), facts, date(2026, 3, 23)).status == Status.ELIGIBLE
    lapsed = replace(READY, pledges=(PledgeFact(money(80), date(2026, 2, 2), date(2026, 3, 5)),))
    assert "has lapsed" in check(decide(pol(), lapsed, AS_OF), "PLEDGE").reason


def test_pledge_grace_days_extend_the_hold():
    facts = replace(READY, pledges=(PledgeFact(money(80), date(2026, 2, 2), date(2026, 3, 5)),))
    d = decide(pol(protections__pledge_grace_days=5), facts, AS_OF)
    assert d.deciding.code == "PLEDGE_PENDING" and d.deciding.until == date(2026, 3, 11)


def test_paid_or_cancelled_pledges_do_not_block():
    for status in ("paid", "expired", "cancelled"):
        facts = replace(READY, pledges=(PledgeFact(money(80), date(2026, 3, 2), date(2026, 3, 20), status),))
        assert decide(pol(), facts, AS_OF).status == Status.ELIGIBLE


def test_tx_pledge_holds_the_billing_period_then_not_an_uncovered_remainder():
    # rules.md §1.4.3: no disconnection for the billing period the pledge arrives in (16 TAC
    # 7.460(b)(2)), even when it leaves $20 uncovered; after that period the uncovered remainder
    # unpaid by the customer allows action (16 TAC 25.483).
    bills = (
        BillFact(date(2026, 2, 1), date(2026, 2, 20), money(60)),
        BillFact(date(2026, 3, 1), date(2026, 3, 20), money(0)),
    )
    pledge = PledgeFact(money(60), date(2026, 3, 3), date(2026, 3, 5))
    facts = with_notices(replace(READY, bills=bills, pledges=(pledge,)), ("shutoff", date(2026, 2, 23)))
    d = decide(pol("TX_PUC_ELECTRIC"), facts, date(2026, 3, 10))
    assert d.deciding.code == "PLEDGE_PENDING" and d.deciding.until == date(2026, 4, 1)  # period to 03-31
    short = replace(facts, pledges=(PledgeFact(money(40), date(2026, 3, 3), date(2026, 3, 5)),))
    held = decide(pol("TX_PUC_ELECTRIC"), short, AS_OF)
    assert (held.deciding.code, held.deciding.until) == ("PLEDGE_PENDING", date(2026, 4, 1))
    assert "$20.00 of the past-due balance is not covered" in held.deciding.reason
    assert (
        "$20.00 of the past-due balance unpaid"
        in check(decide(pol("TX_PUC_ELECTRIC"), short, date(2026, 4, 1)), "PLEDGE").reason
    )


def test_arrangement_in_good_standing_blocks():
    plan = ArrangementFact(
        date(2026, 2, 1),
        6,
        money(100),
        installments=(InstallmentFact(date(2026, 3, 1), money(20), money(20)),),
    )
    d = decide(pol(), replace(READY, arrangements=(plan,)), AS_OF)
    assert (d.status, d.earliest_date, d.deciding.code) == (Status.BLOCKED, None, "ARRANGEMENT_GOOD_STANDING")


def test_defaulted_arrangement_allows_action_without_tolerance_by_default():
    plan = ArrangementFact(
        date(2026, 2, 1), 6, money(100), installments=(InstallmentFact(date(2026, 3, 1), money(20)),)
    )
    d = decide(pol(), replace(READY, arrangements=(plan,)), AS_OF)
    assert d.status == Status.ELIGIBLE and check(d, "ARRANGEMENT_DEFAULT").outcome == S


def test_az_summer_moratorium_blocks_until_october_16():
    d = decide(pol("AZ_ACC_ELECTRIC"), with_notices(READY, ("final", date(2026, 6, 1))), date(2026, 6, 10))
    assert d.deciding.code == "WEATHER_BLOCK" and d.deciding.until == date(2026, 10, 16)
    assert (d.status, d.earliest_date) == (Status.BLOCKED, date(2026, 10, 16))
    assert "06-01..10-15" in d.deciding.reason


def test_az_deferral_into_the_moratorium_is_moved_past_it():
    facts = with_notices(
        one_bill(date(2026, 5, 4)), ("shutoff", date(2026, 5, 22)), ("final", date(2026, 5, 28))
    )
    d = decide(pol("AZ_ACC_ELECTRIC"), facts, date(2026, 5, 28))
    assert check(d, "NOTICE_LEAD").until == date(2026, 6, 1)
    assert (d.status, d.earliest_date) == (Status.DEFERRED, date(2026, 10, 16))
    assert d.deciding.code == "WEATHER_DEFER"


def test_temperature_mode_looks_ahead_72_hours():
    base = with_notices(
        one_bill(date(2026, 3, 21), bill_date=date(2026, 3, 2)), ("shutoff", date(2026, 3, 23))
    )
    facts = replace(
        base,
        contact_attempts=(ContactAttemptFact(date(2026, 4, 5), reached=True),),
        weather=(WeatherFact(date(2026, 4, 9), high_f=101),),
    )
    d = decide(pol("CA_CPUC_ENERGY"), facts, date(2026, 4, 7))
    assert d.deciding.code == "WEATHER_BLOCK" and d.deciding.until == date(2026, 4, 10)
    assert "101°F > 95°F" in d.deciding.reason
    cold = replace(facts, weather=(WeatherFact(date(2026, 4, 8), high_f=30),))
    assert decide(pol("CA_CPUC_ENERGY"), cold, date(2026, 4, 7)).deciding.until == date(2026, 4, 9)
    mild = replace(facts, weather=(WeatherFact(date(2026, 4, 8), high_f=95),))
    assert decide(pol("CA_CPUC_ENERGY"), mild, date(2026, 4, 7)).status == Status.ELIGIBLE  # "higher than 95"


def test_tx_extreme_weather_freeze_and_heat_advisory_lookback():
    facts = with_notices(one_bill(date(2026, 1, 2)), ("shutoff", date(2026, 1, 3)))
    freeze = replace(
        facts, weather=(WeatherFact(date(2026, 1, 14), high_f=30), WeatherFact(date(2026, 1, 15), high_f=28))
    )
    d = decide(pol("TX_PUC_ELECTRIC"), freeze, date(2026, 1, 15))
    assert d.deciding.code == "WEATHER_BLOCK" and d.deciding.until == date(2026, 1, 16)
    heat = replace(facts, weather=(WeatherFact(date(2026, 7, 6), heat_advisory=True),))
    d = decide(pol("TX_PUC_ELECTRIC"), heat, date(2026, 7, 8))
    assert d.deciding.code == "WEATHER_BLOCK" and d.deciding.until == date(2026, 7, 9)
    assert decide(pol("TX_PUC_ELECTRIC"), heat, date(2026, 7, 9)).status == Status.ELIGIBLE


def test_pa_winter_income_block():
    facts = replace(
        READY, poverty_pct=money(240), contact_attempts=(ContactAttemptFact(date(2026, 3, 2), "visit"),)
    )
    d = decide(pol("PA_CH14"), with_notices(facts, ("shutoff", date(2026, 3, 2))), AS_OF)
    assert d.deciding.code == "WINTER_INCOME_BLOCK" and d.deciding.until == date(2026, 4, 1)
    assert d.deciding.citation.startswith("66 Pa.C.S. 1406(e)") and d.deciding.citation.endswith("[M]")
    above = replace(facts, poverty_pct=money(260))
    assert (
        decide(pol("PA_CH14"), with_notices(above, ("shutoff", date(2026, 3, 2))), AS_OF).status
        != Status.BLOCKED
    )


def test_minimum_arrears_threshold():
    d = decide(pol(protections__min_arrears_for_disconnect="300"), READY, AS_OF)
    assert (d.status, d.deciding.code) == (Status.BLOCKED, "MIN_ARREARS")
    assert "$100.00 is below the $300.00 minimum" in d.deciding.reason


def test_ny_cold_period_needs_contact_for_heat_related_service():
    facts = replace(with_notices(one_bill(date(2026, 11, 2)), ("shutoff", date(2026, 11, 23))), utility="gas")
    d = decide(pol("NY_HEFPA"), facts, date(2026, 12, 10))
    assert check(d, "COLD_PERIOD").outcome == D
    reached = replace(facts, contact_attempts=(ContactAttemptFact(date(2026, 12, 1), reached=True),))
    assert decide(pol("NY_HEFPA"), reached, date(2026, 12, 10)).status == Status.ELIGIBLE
    water = replace(facts, utility="water")
    assert "COLD_PERIOD" not in {c.code for c in decide(pol("NY_HEFPA"), water, date(2026, 12, 10)).checks}


def test_sb998_does_not_govern_commercial_accounts_default_does():
    d = decide(pol("CA_SB998_WATER"), replace(READY, residential=False), AS_OF)
    applicability = [c for c in d.checks if c.code == "APPLICABILITY"]
    assert [(c.preset, c.outcome) for c in applicability] == [("CA_SB998_WATER", NA), ("DEFAULT", S)]
    assert d.status == Status.ELIGIBLE


def test_sb998_small_systems_covered_from_august_2024():
    facts = replace(
        READY, system_connections=150, medical_certificates=(MedicalCertificateFact(date(2026, 3, 1)),)
    )
    d = decide(pol("CA_SB998_WATER"), facts, AS_OF)
    assert check(d, "APPLICABILITY", "CA_SB998_WATER").outcome == S
    early = replace(facts, bills=(BillFact(date(2024, 1, 1), date(2024, 1, 20), money(100)),), notices=())
    d = decide(pol("CA_SB998_WATER"), early, date(2024, 6, 1))
    assert check(d, "APPLICABILITY", "CA_SB998_WATER").outcome == NA
    assert "150 connections" in check(d, "APPLICABILITY", "CA_SB998_WATER").reason


def test_nothing_to_disconnect_when_already_off_or_final_billed():
    for facts in (
        replace(READY, service_state="disconnected"),
        replace(READY, final_billed_on=date(2026, 2, 1)),
    ):
        d = decide(pol(), facts, AS_OF)
        assert (d.status, d.deciding.code, d.earliest_date) == (Status.BLOCKED, "NOTHING_TO_DISCONNECT", None)


def test_phoenix_uses_low_flow_for_single_family_homes():
    facts = with_notices(one_bill(date(2026, 1, 5)), ("shutoff", date(2026, 1, 6)))
    d = decide(pol("AZ_PHOENIX_WATER"), facts, date(2026, 2, 5))  # due + 31
    assert (d.status, d.action) == (Status.ELIGIBLE, "low_flow")
    assert (
        decide(pol("AZ_PHOENIX_WATER"), replace(facts, single_family=False), date(2026, 2, 5)).action
        == "disconnect"
    )
    on_low_flow = replace(facts, service_state="low_flow")
    assert (
        decide(pol("AZ_PHOENIX_WATER"), on_low_flow, date(2026, 2, 5)).deciding.code
        == "NOTHING_TO_DISCONNECT"
    )
    assert decide(pol(), on_low_flow, AS_OF).status == Status.ELIGIBLE  # elsewhere low-flow is not the end


def _bankrupt(**kw) -> BankruptcyFact:
    return BankruptcyFact(**{"chapter": 7, "petition_date": date(2026, 3, 2), **kw})


def test_bankruptcy_pre_petition_debt_alone_never_justifies_action():
    d = decide(pol(), replace(READY, bankruptcy=_bankrupt()), date(2026, 6, 1))
    assert (d.status, d.earliest_date, d.deciding.code) == (Status.BLOCKED, None, "BANKRUPTCY_PRE_PETITION")
    assert d.deciding.citation == "11 U.S.C. 366(a)" and d.deciding.preset == "FED_BANKRUPTCY"


def test_bankruptcy_post_petition_arrears_wait_for_the_assurance_window():
    # order for relief Mon 03-02 + 20 = Sun 03-22 -> Mon 03-23 (FRBP 9006(a)); action from Tue 03-24.
    post = BillFact(date(2026, 3, 3), date(2026, 3, 13), money(50))
    facts = replace(READY, bills=(*READY.bills, post), bankruptcy=_bankrupt())
    d = decide(pol(), facts, date(2026, 3, 16))
    assert d.deciding.code == "BANKRUPTCY_ASSURANCE_WINDOW" and d.deciding.until == date(2026, 3, 24)
    assert "runs to Mon 2026-03-23" in d.deciding.reason
    after = decide(pol(), facts, date(2026, 3, 24))
    assert check(after, "BANKRUPTCY").outcome == S
    assert check(after, "DAYS_DELINQUENT").until == date(2026, 5, 12)  # post-petition bill due 03-13 + 60
    assert after.past_due == money("150.00")  # the decision still reports everything owed


def test_bankruptcy_assurance_received_or_case_dismissed_means_normal_rules():
    post = BillFact(date(2026, 3, 3), date(2026, 3, 13), money(50))
    assured = replace(
        READY, bills=(*READY.bills, post), bankruptcy=_bankrupt(assurance_received_on=date(2026, 3, 10))
    )
    assert check(decide(pol(), assured, date(2026, 3, 16)), "BANKRUPTCY").outcome == S
    dismissed = replace(READY, bankruptcy=_bankrupt(dismissed_on=date(2026, 3, 9)))
    assert decide(pol(), dismissed, AS_OF).status == Status.ELIGIBLE


def test_chapter_11_thirty_day_period_begins_on_the_petition_date():
    # petition Fri 03-06: the period's last day is 04-04 (Sat) -> Mon 04-06; action from Tue 04-07.
    post = BillFact(date(2026, 3, 7), date(2026, 3, 17), money(50))
    facts = replace(
        READY, bills=(*READY.bills, post), bankruptcy=_bankrupt(chapter=11, petition_date=date(2026, 3, 6))
    )
    d = decide(pol(), facts, date(2026, 3, 20))
    assert d.deciding.until == date(2026, 4, 7) and d.deciding.citation.startswith("11 U.S.C. 366(c)(2)")
