"""The answers the evaluate API and the what-if give beside the decision (issue 12): each figure
that was only in a reason is a value, computed by the same code as the rule check."""

from dataclasses import replace
from datetime import date, timedelta

from policy_engine import answers, answers_money, engine
from policy_engine.facts import (
    AccountFacts,
    ArrangementFact,
    BillFact,
    InstallmentFact,
    MedicalCertificateFact,
    PaymentFact,
    PledgeFact,
)

from .builders import check, money, one_bill, pol, with_notices

READY = with_notices(one_bill(date(2026, 1, 5)), ("shutoff", date(2026, 1, 6)))
AS_OF = date(2026, 3, 10)


def test_medical_certificate_protected_through_and_renewals_left_under_sb998():
    # rules.md §1.4.1 (HSC 116910): certificate + financial inability + willingness; received 03-01,
    # 30 days: protected through 03-31 (§0: D + N). The first renewal leaves one of the two renewals
    # that protect a customer who is not paying (catalogue protections.medical.max_renewals...: 2).
    cert = MedicalCertificateFact(date(2026, 3, 1), renewal=1, financially_unable=True, willing_to_plan=True)
    facts = replace(READY, medical_certificates=(cert,))
    status = answers.medical_status(pol("CA_SB998_WATER"), facts, AS_OF)
    assert (status.protected, status.protected_through, status.renewal, status.renewals_left) == (
        True,
        date(2026, 3, 31),
        1,
        1,
    )
    decision = engine.decide(pol("CA_SB998_WATER"), facts, AS_OF)
    assert decision.deciding.code == status.check.code == "MEDICAL_CERTIFICATE"
    assert decision.earliest_date == status.protected_through + timedelta(days=1)  # one computation


def test_pledge_uncovered_amount_and_protected_through_in_texas():
    # rules.md §1.4.3: the pledge holds the billing period it arrived in (to 03-31) even when it
    # leaves $20 of the $60 past due uncovered (16 TAC 7.460(b)(2)).
    bills = (
        BillFact(date(2026, 2, 1), date(2026, 2, 20), money(60)),
        BillFact(date(2026, 3, 1), date(2026, 3, 20), money(0)),
    )
    pledge = PledgeFact(money(40), date(2026, 3, 3), date(2026, 3, 5))
    facts = with_notices(replace(READY, bills=bills, pledges=(pledge,)), ("shutoff", date(2026, 2, 23)))
    status = answers.pledge_status(pol("TX_PUC_ELECTRIC"), facts, AS_OF)
    assert (status.protected, status.pledge_amount, status.uncovered_amount) == (
        True,
        money("40.00"),
        money("20.00"),
    )
    assert status.protected_through == date(2026, 3, 31)
    later = answers.pledge_status(pol("TX_PUC_ELECTRIC"), facts, date(2026, 4, 1))
    assert (later.protected, later.protected_through, later.uncovered_amount) == (False, None, money("20.00"))


def test_arrangement_status_broken_with_days_out_of_compliance():
    # rules.md §1.5 (HSC 116910): a missed installment due 02-20 puts the plan out of compliance.
    plan = ArrangementFact(
        date(2026, 1, 20), 3, money(100), installments=(InstallmentFact(date(2026, 2, 20), money("33.33")),)
    )
    status = answers.arrangement_status(pol(), replace(READY, arrangements=(plan,)), AS_OF)
    assert (status.state, status.out_of_compliance_since, status.days_out_of_compliance) == (
        "broken",
        date(2026, 2, 20),
        18,
    )
    paid = replace(plan, installments=(InstallmentFact(date(2026, 2, 20), money("33.33"), money("33.33")),))
    kept = answers.arrangement_status(pol(), replace(READY, arrangements=(paid,)), AS_OF)
    assert (kept.state, kept.days_out_of_compliance, kept.check.code) == (
        "kept",
        None,
        "ARRANGEMENT_GOOD_STANDING",
    )
    assert answers.arrangement_status(pol(), READY, AS_OF).state == "none"


def test_phoenix_arrangement_terms_schedule_with_current_charges_on_top():
    # rules.md §2 AZ_PHOENIX_WATER: PA = balance / 3 over 3 months; current charges (the average
    # monthly bill, here the one $90 bill) are paid on top of each part.
    facts = one_bill(date(2026, 1, 5), "90.00")
    terms = answers.arrangement_terms(pol("AZ_PHOENIX_WATER"), facts, AS_OF, arrears=money("90.00"))
    assert terms is not None and terms.months == 3 and terms.current_charges == money("90.00")
    rows = [(i.number, i.due_on, i.arrears_part, i.current_charges, i.amount) for i in terms.schedule]
    assert rows == [
        (1, date(2026, 4, 10), money("30.00"), money("90.00"), money("120.00")),
        (2, date(2026, 5, 10), money("30.00"), money("90.00"), money("120.00")),
        (3, date(2026, 6, 10), money("30.00"), money("90.00"), money("120.00")),
    ]
    assert answers.arrangement_terms(pol(), facts, AS_OF, arrears=money(0)) is None


def test_nsf_cash_only_until_and_certified_funds_only():
    # rules.md §1.7 (Bargersville): 2 returns within 6 months -> cash or certified funds for 12
    # months from the second return (03-02 -> 2027-03-02); the second return's fee is $35.
    payments = (
        PaymentFact(date(2026, 1, 5), money(50), returned=True, returned_on=date(2026, 1, 10)),
        PaymentFact(date(2026, 2, 25), money(60), returned=True, returned_on=date(2026, 3, 2)),
    )
    facts = replace(READY, payments=payments)
    returned, out = answers_money.nsf_answer(pol(), facts, AS_OF)
    assert returned.amount == money(60) and out.fee.amount == money("35.00")
    assert (out.cash_only_until, out.redeem_by) == (date(2027, 3, 2), date(2026, 3, 14))
    accept = answers_money.payment_acceptance(pol(), facts, AS_OF)
    assert (accept.certified_funds_only, accept.certified_funds_only_until) == (True, date(2027, 3, 2))
    assert not answers_money.payment_acceptance(pol(), facts, date(2027, 3, 3)).certified_funds_only


def test_deposit_for_a_new_applicant_on_estimated_bills():
    # rules.md §3 deposit.formula DEFAULT: 2 x average monthly bill = 2 x (100+120+80)/3 = $200.00
    amount, basis, bills = answers_money.deposit_for(
        pol(), AccountFacts(), AS_OF, owner=False, estimated_bills=[money(100), money(120), money(80)]
    )
    assert (amount.amount, basis, len(bills)) == (money("200.00"), "estimated_bills", 3)


def test_reconnection_actual_cost_caps_the_low_income_fee():
    # rules.md §1.8 (HSC 116914(a)(1)): low-income caps $50 / $150, never more than the actual cost.
    facts = replace(READY, poverty_pct=money(150))
    recon = answers_money.reconnection(pol("CA_SB998_WATER"), facts, AS_OF, actual_cost=money(30))
    assert (recon.low_income_cap_normal, recon.low_income_cap_after_hours) == (money("30.00"), money("30.00"))
    assert (recon.normal.amount, recon.after_hours.amount) == (money("25.00"), money("30.00"))
    plain = answers_money.reconnection(pol("CA_SB998_WATER"), facts, AS_OF, actual_cost=None)
    assert (plain.low_income_cap_after_hours, plain.after_hours.amount) == (money("150.00"), money("50.00"))


def test_collections_payoff_principal_fee_interest():
    # rules.md §1.9 (Yuma 193-71): 20% fee; 1.5% per whole month since referral (01-01 -> 03-10: 2).
    facts = replace(READY, balance=money(200), referred_on=date(2026, 1, 1))
    payoff = answers_money.collections_payoff(pol(), facts, AS_OF)
    assert (payoff.principal, payoff.fee.amount, payoff.interest.amount, payoff.total) == (
        money("200.00"),
        money("40.00"),
        money("6.00"),
        money("246.00"),
    )


def test_recertification_due_and_discount_lapses():
    # rules.md §1.10: recertify every 24 months (catalogue low_income.recert_months).
    facts = replace(READY, benefit_programs=("SNAP",))
    due = answers_money.recertification(pol(), facts, AS_OF, certified_on=date(2024, 3, 1))
    assert (due.due_on, due.reminder_on, due.overdue, due.discount_applies) == (
        date(2026, 3, 1),
        date(2026, 1, 30),
        True,
        False,
    )
    fresh = answers_money.recertification(pol(), facts, AS_OF, certified_on=date(2025, 3, 1))
    assert (fresh.due_on, fresh.discount_applies) == (date(2027, 3, 1), True)


def test_interest_waiver_next_available_under_sb998():
    # rules.md §2 CA_SB998_WATER: lowIncomeInterestWaiver once per 12 months (HSC 116914(a)(2)).
    facts = replace(READY, poverty_pct=money(150), last_late_fee_waiver_on=date(2025, 6, 1))
    waiver = answers_money.interest_waiver(pol("CA_SB998_WATER"), facts, AS_OF)
    assert (waiver.available, waiver.period_months, waiver.next_available_on) == (False, 12, date(2026, 6, 1))
    assert answers_money.interest_waiver(pol("CA_SB998_WATER"), facts, date(2026, 6, 1)).available


def test_notice_validity_window_under_pa():
    # rules.md §2 PA_CH14: noticeValidity = 60 days.
    facts = one_bill(date(2026, 1, 5))
    plan = engine.notice_plan(pol("PA_CH14"), facts, AS_OF)
    assert plan is not None
    end = answers_money.notice_valid_through(pol("PA_CH14"), facts, AS_OF, plan)
    assert end == plan.send_on + timedelta(days=60)
    assert (
        answers_money.notice_valid_through(pol(), facts, AS_OF, engine.notice_plan(pol(), facts, AS_OF))
        is None
    )


def test_bankruptcy_status_assurance_window():
    # rules.md §1.4.5 (11 U.S.C. 366(b)): 20 days after the order for relief.
    from policy_engine.facts import BankruptcyFact

    bk = BankruptcyFact(7, date(2026, 3, 2), pre_petition_balance=money(100))
    later = BillFact(date(2026, 3, 3), date(2026, 3, 4), money(50))
    facts = replace(READY, bills=(*READY.bills, later), bankruptcy=bk)
    status = answers.bankruptcy_status(pol(), facts, AS_OF)
    assert (status.status, status.assurance_deadline, status.pre_petition_balance) == (
        "assurance_window",
        date(2026, 3, 23),
        money("100.00"),
    )
    assert check(engine.decide(pol(), facts, AS_OF), "BANKRUPTCY_ASSURANCE_WINDOW").until == date(2026, 3, 24)
