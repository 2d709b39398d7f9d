"""Rule areas where the engine disagreed with rules.md (issue 12, "found when tried as a new user
would"). Each test cites the section it follows; every date is worked out by hand beside it."""

from dataclasses import replace
from datetime import date, time

from policy_engine import amounts
from policy_engine.decision import Outcome, Status
from policy_engine.engine import decide
from policy_engine.facts import (
    AccountFacts,
    BillFact,
    MedicalCertificateFact,
    PaymentFact,
    PledgeFact,
)
from policy_engine.presets import PRESETS

from .builders import check, money, one_bill, pol, with_notices

S, D, B = Outcome.SATISFIED, Outcome.DEFERRED, Outcome.BLOCKED


def _codes(decision) -> set[str]:
    return {c.code for c in decision.checks}


# --- rules.md §1.3 CA energy/water corporations: "not earlier than 19 days after bill mailing" ---


def test_cpuc_notice_may_be_given_19_days_after_the_bill_is_mailed():
    # Bill mailed Fri 2026-06-12, due (19 days, PUC 779.1(a)) Wed 07-01. A notice mailed Wed 07-01
    # (bill + 19) counts: its 10 days start 5 days later (07-06) and end Thu 07-16. One mailed
    # Tue 06-30 (bill + 18) is too early.
    bill = one_bill(date(2026, 7, 1), bill_date=date(2026, 6, 12))
    on_19 = decide(
        pol("CA_CPUC_ENERGY"), with_notices(bill, ("shutoff", date(2026, 7, 1))), date(2026, 7, 10)
    )
    assert check(on_19, "NOTICE_LEAD").until == date(2026, 7, 16)
    assert "NOTICE_TOO_EARLY" not in _codes(on_19)
    on_18 = decide(
        pol("CA_CPUC_ENERGY"), with_notices(bill, ("shutoff", date(2026, 6, 30))), date(2026, 7, 10)
    )
    assert "sent before Wed 2026-07-01" in check(on_18, "NOTICE_TOO_EARLY").reason


# --- distinct rule codes for distinct failures (rules.md §0 step 3 and §1.4.1) -------------------


def test_no_notice_and_a_notice_sent_too_early_have_different_codes():
    # DEFAULT: a notice counts from the day after the due date (Tue 2026-03-03).
    bill = one_bill(date(2026, 3, 2))
    none = decide(pol(), bill, date(2026, 5, 5))
    assert "NOTICE_NOT_SENT" in _codes(none) and "NOTICE_TOO_EARLY" not in _codes(none)
    early = decide(pol(), with_notices(bill, ("shutoff", date(2026, 3, 1))), date(2026, 5, 5))
    gate = check(early, "NOTICE_TOO_EARLY")
    assert "NOTICE_NOT_SENT" not in _codes(early)
    assert gate.outcome == D and gate.action_needed == "send the disconnection notice"
    assert gate.until == date(2026, 5, 14)  # Tue 05-05 + 7 business days


def test_pa_renewal_cap_reached_has_its_own_code():
    # 52 Pa. Code 56.114: at most 2 renewals for the same arrears when the customer is not paying.
    ready = with_notices(one_bill(date(2026, 1, 5)), ("shutoff", date(2026, 1, 6)))
    certs = (MedicalCertificateFact(date(2026, 1, 10)), MedicalCertificateFact(date(2026, 3, 5), renewal=3))
    d = decide(pol("PA_CH14"), replace(ready, medical_certificates=certs), date(2026, 3, 10))
    cap = check(d, "MEDICAL_RENEWAL_CAP")
    assert cap.outcome == S and "at most 2 renewals protect" in cap.reason
    assert cap.citation == "52 Pa. Code 56.114"
    assert not {"MEDICAL", "MEDICAL_CERTIFICATE"} & _codes(d)
    none = decide(pol("PA_CH14"), ready, date(2026, 3, 10))
    assert "MEDICAL" in _codes(none) and "MEDICAL_RENEWAL_CAP" not in _codes(none)


# --- rules.md §1.1 TX water/sewer: "delinquent if not received by 5:00 p.m. on due date" ----------

TX_BILL = BillFact(date(2026, 3, 2), date(2026, 3, 18), money("80.00"), money("80.00"))  # paid in full


def _paid_on_due_date(at: time | None) -> AccountFacts:
    return AccountFacts(bills=(TX_BILL,), payments=(PaymentFact(date(2026, 3, 18), money("80.00"), at=at),))


def test_tx_water_payment_before_5_pm_on_the_due_date_is_on_time():
    policy = pol("TX_PUC_WATER")
    assert policy.param("delinquency.payment_cutoff_time") == "17:00"
    for at in (time(16, 59), time(17, 0), None):  # no time of day: on time for the day, as before
        assert amounts.late_fee(policy, _paid_on_due_date(at), date(2026, 3, 19)).amount == money(0)
    late = amounts.late_fee(policy, _paid_on_due_date(time(17, 1)), date(2026, 3, 19))
    assert late.amount == money("5.00")  # 16 TAC 24.165(c): one-time $5
    assert "after the 17:00 cutoff" in late.reason
    # Without a cutoff (DEFAULT) a payment any time on the due date is on time.
    assert amounts.late_fee(pol(), _paid_on_due_date(time(17, 1)), date(2026, 3, 19)).amount == money(0)


def test_tx_water_late_payment_fee_is_charged_once():
    assessed = replace(TX_BILL, late_fee_assessed=True)
    facts = replace(_paid_on_due_date(time(18, 0)), bills=(assessed,))
    assert amounts.late_fee(pol("TX_PUC_WATER"), facts, date(2026, 3, 19)).amount == money(0)


# --- rules.md §1.4.3 TX: a pledge holds "for a billing period"; the remainder after it ---------


def test_tx_pledge_with_an_uncovered_remainder_protects_through_its_billing_period():
    # Past due $300 (bill due 2026-01-25, notice 01-26). A $100 pledge received Tue 03-03 in the
    # billing period 03-01..03-31 (16 TAC 7.460(b)(2)) holds through 03-31 although $200 is not
    # covered; from Wed 04-01 the uncovered remainder allows action (16 TAC 25.483).
    facts = with_notices(one_bill(date(2026, 1, 25), "300.00"), ("shutoff", date(2026, 1, 26)))
    pledge = PledgeFact(
        money(100),
        date(2026, 3, 3),
        date(2026, 3, 10),
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
    )
    held = decide(pol("TX_PUC_ELECTRIC"), replace(facts, pledges=(pledge,)), date(2026, 3, 16))
    assert (held.status, held.deciding.code, held.deciding.until) == (
        Status.BLOCKED,
        "PLEDGE_PENDING",
        date(2026, 4, 1),
    )
    assert "$200.00" in held.deciding.reason
    after = decide(pol("TX_PUC_ELECTRIC"), replace(facts, pledges=(pledge,)), date(2026, 4, 1))
    assert after.status == Status.ELIGIBLE
    assert "$200.00 of the past-due balance unpaid" in check(after, "PLEDGE").reason


def test_pledge_period_given_on_the_fact_wins_over_the_bills():
    # The bills say nothing of March (one bill, January): the fact's period 03-03..04-02 holds.
    facts = with_notices(one_bill(date(2026, 1, 25), "300.00"), ("shutoff", date(2026, 1, 26)))
    pledge = PledgeFact(
        money(300),
        date(2026, 3, 3),
        date(2026, 3, 5),
        period_start=date(2026, 3, 3),
        period_end=date(2026, 4, 2),
    )
    d = decide(pol("TX_PUC_ELECTRIC"), replace(facts, pledges=(pledge,)), date(2026, 3, 16))
    assert (d.deciding.code, d.deciding.until) == ("PLEDGE_PENDING", date(2026, 4, 3))


# --- rules.md §1.7 Lake Havasu: a check that restored service: 48 hours to redeem -------------


READY = with_notices(one_bill(date(2026, 1, 5)), ("shutoff", date(2026, 1, 6)))  # DEFAULT: ready 03-09


def test_returned_payment_that_restored_service_defers_for_the_48_hour_window():
    # Returned Mon 2026-03-09: redeem in certified funds by Wed 03-11 (48 h); not before.
    for flag in ("restored_service", "to_avoid_disconnect"):
        paid = PaymentFact(
            date(2026, 3, 2), money(100), returned=True, returned_on=date(2026, 3, 9), **{flag: True}
        )
        facts = replace(READY, payments=(paid,))
        d = decide(pol(), facts, date(2026, 3, 9))
        window = check(d, "NSF_REDEEM_WINDOW")
        assert (window.outcome, window.until, window.citation) == (D, date(2026, 3, 11), "utility policy")
        assert (d.status, d.earliest_date) == (Status.DEFERRED, date(2026, 3, 11))
        later = decide(pol(), facts, date(2026, 3, 11))
        assert later.status == Status.ELIGIBLE
        assert check(later, "NSF_NOT_REDEEMED").outcome == S
        assert amounts.nsf_outcome(pol(), facts, date(2026, 3, 9), returned=paid).redeem_by == date(
            2026, 3, 11
        )


def test_redeemed_or_ordinary_returned_payment_does_not_defer():
    plain = PaymentFact(date(2026, 3, 2), money(100), returned=True, returned_on=date(2026, 3, 9))
    assert decide(pol(), replace(READY, payments=(plain,)), date(2026, 3, 9)).status == Status.ELIGIBLE
    restored = replace(plain, restored_service=True)
    redeemed = PaymentFact(date(2026, 3, 10), money(100))
    d = decide(pol(), replace(READY, payments=(restored, redeemed)), date(2026, 3, 10))
    assert "NSF_REDEEM_WINDOW" not in _codes(d)


# --- rules.md §1.5 / §2 CA_SB998_WATER: 12 months, "longer allowed to avoid undue hardship" ------


def test_sb998_plan_extends_for_documented_hardship():
    policy = pol("CA_SB998_WATER")
    plain = amounts.arrangement_limits(policy, AccountFacts(), date(2026, 3, 10), arrears=money(600))
    assert plain.max_months == 12
    hardship = amounts.arrangement_limits(
        policy, AccountFacts(hardship=True), date(2026, 3, 10), arrears=money(600)
    )
    assert hardship.max_months == 24 and hardship.eligible
    term = next(c for c in hardship.checks if c.code == "ARRANGEMENT_TERM")
    assert "hardship" in term.reason and term.citation.startswith("HSC 116910(b)")
    # DEFAULT has no hardship extension: the flag changes nothing.
    assert (
        amounts.arrangement_limits(
            pol(), AccountFacts(hardship=True), date(2026, 3, 10), arrears=money(600)
        ).max_months
        == 12
    )


# --- rules.md §1.3 AZ ACC electric: final notice 2 days before comes from a 2019 proposal -------


def test_az_final_notice_gate_is_off_until_the_rule_is_confirmed():
    # ACC staff proposal 2019 "[V — proposal text, confirm final rule]": no FINAL_NOTICE gate in the
    # preset; a utility that confirms it turns it on with notices.final_notice_hours = 48.
    value = PRESETS["AZ_ACC_ELECTRIC"].values["notices.final_notice_hours"]
    assert value.value is None and value.manual
    facts = with_notices(one_bill(date(2026, 3, 2)), ("shutoff", date(2026, 3, 3)))  # + 10 = 03-13
    d = decide(pol("AZ_ACC_ELECTRIC"), facts, date(2026, 3, 16))
    assert d.status == Status.ELIGIBLE and "FINAL_NOTICE" not in _codes(d)
    confirmed = decide(pol("AZ_ACC_ELECTRIC", notices__final_notice_hours=48), facts, date(2026, 3, 16))
    assert check(confirmed, "FINAL_NOTICE").outcome == D
