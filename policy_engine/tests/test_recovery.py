"""Agency fee and interest, referral timing, write-off, bankruptcy deadlines (§1.9, §1.4.5)."""

from dataclasses import replace
from datetime import date

import pytest

from policy_engine import amounts
from policy_engine.decision import Outcome
from policy_engine.facts import (
    AccountFacts,
    ArrangementFact,
    BankruptcyFact,
    BillFact,
    CollectionSteps,
    ContactAttemptFact,
    PledgeFact,
)

from .builders import money, pol

S, D, B, NA = Outcome.SATISFIED, Outcome.DEFERRED, Outcome.BLOCKED, Outcome.NOT_APPLICABLE


def test_agency_fee_twenty_percent_or_the_contract_rate():
    fee = amounts.agency_fee(pol(), balance=money("250.00"))
    assert fee.amount == money("50.00") and fee.citation == "utility policy"  # no preset sets it (issue 12)
    assert amounts.agency_fee(pol(), balance=money("250.00"), agency_pct=money("0.25")).amount == money(
        "62.50"
    )
    assert amounts.agency_fee(pol(), balance=money("0.33")).amount == money("0.07")  # 0.066 half up


def test_referral_interest_per_whole_month_simple():
    policy = pol()
    two = amounts.referral_interest(
        policy, balance=money(1000), start=date(2026, 1, 15), end=date(2026, 4, 14)
    )
    assert two.amount == money("30.00") and "2 whole months" in two.reason
    three = amounts.referral_interest(
        policy, balance=money(1000), start=date(2026, 1, 15), end=date(2026, 4, 15)
    )
    assert three.amount == money("45.00")
    assert amounts.referral_interest(
        policy, balance=money(1000), start=date(2026, 1, 31), end=date(2026, 2, 28)
    ).amount == money("15.00")


FINAL = AccountFacts(
    bills=(BillFact(date(2026, 1, 10), date(2026, 1, 30), money(180), is_final=True),),
    balance=money(180),
    final_billed_on=date(2026, 1, 10),
    service_state="final",
)


def test_referral_due_90_days_after_the_final_bill():
    early = amounts.referral_due(pol(), FINAL, date(2026, 4, 9))
    assert (early.outcome, early.until) == (D, date(2026, 4, 10))
    due = amounts.referral_due(pol(), FINAL, date(2026, 4, 10))
    assert due.outcome == S and "$180.00 unpaid" in due.reason
    assert (
        amounts.referral_due(
            pol(collections__referral_days_after_final_bill=60), FINAL, date(2026, 3, 11)
        ).outcome
        == S
    )


def test_no_referral_when_not_final_small_already_referred_or_bankrupt():
    assert amounts.referral_due(pol(), AccountFacts(balance=money(500)), date(2026, 6, 1)).outcome == NA
    assert amounts.referral_due(pol(), replace(FINAL, balance=money(3)), date(2026, 6, 1)).outcome == NA
    assert (
        amounts.referral_due(pol(), replace(FINAL, referred_on=date(2026, 4, 11)), date(2026, 6, 1)).outcome
        == NA
    )
    bankrupt = replace(FINAL, bankruptcy=BankruptcyFact(7, date(2026, 2, 1)))
    assert amounts.referral_due(pol(), bankrupt, date(2026, 6, 1)).outcome == B


@pytest.mark.parametrize(
    ("balance", "small"),
    [("2.50", True), ("-3.00", True), ("3.00", True), ("3.01", False), ("-3.01", False), ("0.00", False)],
)
def test_small_balances_of_either_sign_are_written_off(balance, small):
    assert (
        amounts.write_off_check(pol(), AccountFacts(balance=money(balance)), date(2026, 6, 1)).small_balance
        is small
    )


def test_uncollectible_after_more_than_90_days_past_due():
    # final bill due 01-30: 90 days past due on 04-30, more than 90 on 05-01.
    assert not amounts.write_off_check(pol(), FINAL, date(2026, 4, 30)).uncollectible_eligible
    result = amounts.write_off_check(pol(), FINAL, date(2026, 5, 1))
    assert result.uncollectible_eligible
    assert any(c.code == "UNCOLLECTIBLE_AGE" and "91 days" in c.reason for c in result.checks)


AGED = date(2026, 5, 1)  # the final bill (due 01-30) is 91 days past due


def _codes(result) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {c.code: str(c.outcome) for c in result.checks}


def test_an_active_account_or_one_with_service_on_is_never_uncollectible():
    active = replace(FINAL, final_billed_on=None, service_state="connected")
    result = amounts.write_off_check(pol(), active, AGED)
    assert not result.uncollectible_eligible and _codes(result)["WRITE_OFF_FINAL"] == B
    assert "account is active" in next(c.reason for c in result.checks if c.code == "WRITE_OFF_FINAL")
    service_on = replace(FINAL, service_state="connected")
    result = amounts.write_off_check(pol(), service_on, AGED)
    assert not result.uncollectible_eligible and "still on" in result.checks[1].reason


def test_only_what_is_past_due_long_enough_is_written_off_never_a_bill_not_yet_due():
    with_current = replace(
        FINAL,
        bills=(*FINAL.bills, BillFact(date(2026, 4, 20), date(2026, 5, 10), money(80))),
        balance=money(260),
    )
    result = amounts.write_off_check(pol(), with_current, AGED)
    assert result.uncollectible_eligible and result.eligible_amount == money(180)
    assert "the other $80.00 (due later, or not yet due) stays on the account" in " ".join(
        c.reason for c in result.checks
    )
    only_current = replace(FINAL, bills=(BillFact(date(2026, 4, 20), date(2026, 5, 10), money(80)),))
    result = amounts.write_off_check(pol(), replace(only_current, balance=money(80)), AGED)
    assert not result.uncollectible_eligible and result.eligible_amount == 0
    assert _codes(result)["UNCOLLECTIBLE_AGE"] == D


def test_a_pledge_an_arrangement_or_an_open_bankruptcy_holds_the_write_off():
    pledged = replace(FINAL, pledges=(PledgeFact(money(100), date(2026, 4, 20), date(2026, 5, 20)),))
    assert _codes(amounts.write_off_check(pol(), pledged, AGED))["WRITE_OFF_HOLDS"] == B
    planned = replace(FINAL, arrangements=(ArrangementFact(date(2026, 4, 1), 6, money(180)),))
    assert not amounts.write_off_check(pol(), planned, AGED).uncollectible_eligible
    bankrupt = replace(FINAL, bankruptcy=BankruptcyFact(7, date(2026, 3, 1), pre_petition_balance=money(180)))
    result = amounts.write_off_check(pol(), bankrupt, AGED)
    assert not result.uncollectible_eligible and "the case decides" in " ".join(
        c.reason for c in result.checks
    )


@pytest.mark.parametrize(
    ("criterion", "missing", "recorded", "said"),
    [
        (
            "procedures_exhausted",
            CollectionSteps(disconnection_notice_on=date(2025, 12, 1)),
            CollectionSteps(disconnection_notice_on=date(2025, 12, 1), referred_on=date(2026, 4, 10)),
            "neither referred to a collection agency nor disconnected",
        ),
        (
            "procedures_exhausted",
            CollectionSteps(referred_on=date(2026, 4, 10)),
            CollectionSteps(disconnection_notice_on=date(2025, 12, 1), disconnected_on=date(2025, 12, 20)),
            "no disconnection notice was sent",
        ),
        (
            "debtor_not_found",
            CollectionSteps(unreached_contacts=1),
            CollectionSteps(unreached_contacts=2),
            "at least 2",
        ),
        (
            "bankruptcy_discharge",
            CollectionSteps(),
            CollectionSteps(bankruptcy_discharged_on=date(2026, 3, 1)),
            "no discharged bankruptcy case",
        ),
        (
            "deceased_no_estate",
            CollectionSteps(),
            CollectionSteps(deceased_document="Death certificate"),
            "document seen",
        ),
        (
            "not_cost_effective",
            CollectionSteps(referred_on=date(2025, 6, 1)),
            CollectionSteps(referred_on=date(2025, 5, 1)),
            "at least 12 months",
        ),
    ],
)
def test_each_criterion_needs_the_steps_it_claims_on_record(criterion, missing, recorded, said):
    refused = amounts.write_off_check(pol(), FINAL, AGED, criterion=criterion, steps=missing)
    assert not refused.uncollectible_eligible and _codes(refused)["WRITE_OFF_EVIDENCE"] == B
    evidence = next(c for c in refused.checks if c.code == "WRITE_OFF_EVIDENCE")
    assert said in evidence.reason and evidence.action_needed
    allowed = amounts.write_off_check(pol(), FINAL, AGED, criterion=criterion, steps=recorded)
    assert allowed.uncollectible_eligible and allowed.eligible_amount == money(180)
    # past due long enough is needed whatever the evidence
    assert not amounts.write_off_check(
        pol(), FINAL, date(2026, 4, 30), criterion=criterion, steps=recorded
    ).uncollectible_eligible


def test_the_policy_sets_the_evidence_thresholds():
    steps = CollectionSteps(unreached_contacts=2, referred_on=date(2025, 11, 1))
    strict = pol(collections__not_found_contact_attempts=3, collections__write_off_after_agency_months=6)
    assert not amounts.write_off_check(
        strict, FINAL, AGED, criterion="debtor_not_found", steps=steps
    ).uncollectible_eligible
    assert amounts.write_off_check(
        strict, FINAL, AGED, criterion="not_cost_effective", steps=steps
    ).uncollectible_eligible


def test_what_if_facts_carry_the_steps():
    facts = replace(
        FINAL,
        contact_attempts=(
            ContactAttemptFact(date(2026, 2, 1), reached=True),
            ContactAttemptFact(date(2026, 3, 1)),
            ContactAttemptFact(date(2026, 3, 9), method="visit"),
        ),
        uncollectible_reasons=("DECEASED_NO_ESTATE",),
    )
    steps = amounts.steps_from_facts(facts)
    assert steps.unreached_contacts == 2 and steps.deceased_document
    assert amounts.write_off_check(pol(), facts, AGED, criterion="debtor_not_found").uncollectible_eligible


@pytest.mark.parametrize(
    ("relief", "deadline", "rolled"),
    [
        (date(2026, 3, 2), date(2026, 3, 23), True),  # + 20 = Sun 03-22
        (date(2026, 3, 1), date(2026, 3, 23), True),  # + 20 = Sat 03-21
        (date(2026, 5, 5), date(2026, 5, 26), True),  # + 20 = Mon 05-25, Memorial Day
        (date(2026, 4, 1), date(2026, 4, 21), False),  # Tue
    ],
)
def test_366b_twenty_days_after_order_for_relief_roll_per_frbp_9006(relief, deadline, rolled):
    result = amounts.bankruptcy_deadline(pol(), BankruptcyFact(7, relief))
    assert (result.code, result.outcome, result.until) == ("BANKRUPTCY_ASSURANCE_DEADLINE", B, deadline)
    assert ("9006(a)" in result.citation) is rolled


def test_order_for_relief_later_than_petition_starts_the_clock():
    involuntary = BankruptcyFact(7, date(2026, 3, 2), order_for_relief_date=date(2026, 4, 1))
    assert amounts.bankruptcy_deadline(pol(), involuntary).until == date(2026, 4, 21)


def test_chapter_11_thirty_day_period_from_the_petition():
    result = amounts.bankruptcy_deadline(pol(), BankruptcyFact(11, date(2026, 3, 6)))
    assert result.until == date(2026, 4, 6)  # last day 04-04 (Sat) -> Mon 04-06
    assert result.citation.startswith("11 U.S.C. 366(c)(2)")
    assert amounts.bankruptcy_deadline(pol(), BankruptcyFact(11, date(2026, 3, 9))).until == date(2026, 4, 7)


def test_roll_can_be_switched_off_and_assurance_recorded():
    policy = pol(bankruptcy__roll_weekend_holiday=False)
    assert amounts.bankruptcy_deadline(policy, BankruptcyFact(13, date(2026, 3, 2))).until == date(
        2026, 3, 22
    )
    assured = BankruptcyFact(
        13, date(2026, 3, 2), assurance_received_on=date(2026, 3, 10), assurance_amount=money(200)
    )
    result = amounts.bankruptcy_deadline(pol(), assured)
    assert result.outcome == S and "$200.00" in result.reason
