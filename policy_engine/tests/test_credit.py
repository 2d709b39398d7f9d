"""Deposits (§1.6), arrangement limits (§1.5) and returned payments (§1.7), by hand."""

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

from policy_engine import amounts
from policy_engine.core import to_money
from policy_engine.decision import Outcome
from policy_engine.facts import AccountFacts, ArrangementFact, BillFact, DepositFact, PaymentFact

from .builders import money, pol

AS_OF = date(2026, 3, 10)
RES = AccountFacts()
BILLS_14 = [money(999), money(999)] + [money(100)] * 6 + [money(50)] * 6  # only the last 12 count


def deposit(policy, facts=RES, bills=BILLS_14, owner=False):
    return amounts.deposit_required(policy, facts, as_of=AS_OF, monthly_bills=bills, owner=owner)


def test_scottsdale_two_times_average_of_last_12_bills():
    result = deposit(pol("AZ_SCOTTSDALE"))
    assert result.amount == money("150.00")  # 2 x 75.00
    assert result.reason == "2 × average monthly bill of 12 ($75.00) = $150.00."


def _adds_up(reason: str) -> tuple[Decimal, Decimal, Decimal]:
    k, base, amount = re.fullmatch(
        r"([\d.]+) × average monthly bill of \d+ \(\$([\d.,]+)\) = \$([\d.,]+)\.", reason
    ).groups()
    return Decimal(k), Decimal(base.replace(",", "")), Decimal(amount.replace(",", ""))


def test_the_deposit_explanation_adds_up_with_the_average_it_shows():
    # 324.47 / 3 = 108.1566...: shown as $108.16, so the deposit is 2 x 108.16 = 216.32 (not the
    # 216.31 of the unrounded average, which made "2 x $108.16 = $216.31" on the demo city)
    result = deposit(pol("AZ_SCOTTSDALE"), bills=[money("108.15"), money("108.16"), money("108.16")])
    k, base, amount = _adds_up(result.reason)
    assert k * base == amount == result.amount == money("216.32")
    for bills in (
        [money("100.01"), money("100.02"), money("100.02")],
        [money("33.33")] * 2 + [money("33.34")],
    ):
        result = deposit(pol("AZ_SCOTTSDALE"), bills=bills)
        k, base, amount = _adds_up(result.reason)
        assert to_money(k * base) == amount == result.amount


def test_tx_fraction_explanation_adds_up():
    result = deposit(pol("TX_PUC_ELECTRIC"), bills=[money("108.15"), money("108.16"), money("108.16")])
    # 12 x $108.16 = $1,297.92 shown, x 0.1667 = 216.363... = $216.36
    assert "estimated annual billing $1,297.92 (12 × average monthly bill $108.16)" in result.reason
    assert result.amount == to_money(Decimal("1297.92") * Decimal("0.1667")) == money("216.36")


def test_non_residential_two_and_a_half_times_highest_bill():
    result = deposit(pol("AZ_MESA"), replace(RES, residential=False), [money(100), money(240), money(80)])
    assert result.amount == money("600.00") and "highest monthly bill" in result.reason


def test_st_george_renters_125_owners_none():
    assert deposit(pol("UT_ST_GEORGE"), owner=False).amount == money("125.00")
    assert deposit(pol("UT_ST_GEORGE"), owner=True).amount == money("0.00")


def test_tucson_flat_residential_and_formula_for_other_classes():
    assert deposit(pol("AZ_TUCSON_WATER"), owner=True).amount == money("200.00")
    assert deposit(pol("AZ_TUCSON_WATER"), replace(RES, residential=False)).amount == money("150.00")


def test_cpuc_prohibits_deposits():
    result = deposit(pol("CA_CPUC_ENERGY"))
    assert result.amount == money(0) and result.citation == "CPUC D.20-06-003"


def test_tx_fraction_of_annual_billing():
    assert deposit(pol("TX_PUC_ELECTRIC"), bills=[money(100)] * 12).amount == money("200.04")  # 0.1667 x 1200


def test_no_history_no_formula_deposit():
    assert "No billing history" in deposit(pol("AZ_SCOTTSDALE"), bills=[]).reason


def test_phoenix_letter_of_credit_waiver_limits():
    good = replace(RES, letter_of_credit=True, credit_history_months=12, late_payments_12m=2)
    waived = deposit(pol("AZ_PHOENIX_WATER"), good)
    assert waived.amount == money(0) and waived.citation == "phoenix.gov Water FAQ"
    assert deposit(pol("AZ_PHOENIX_WATER"), replace(good, late_payments_12m=3)).amount == money("150.00")
    assert deposit(pol("AZ_PHOENIX_WATER"), replace(good, disconnections_12m=1)).amount == money("150.00")
    assert deposit(pol("AZ_PHOENIX_WATER"), replace(good, credit_history_months=11)).amount == money("150.00")


def test_tx_waivers_for_history_and_age_65():
    tx = pol("TX_PUC_ELECTRIC")
    assert deposit(tx, replace(RES, credit_history_months=24, late_payments_12m=1)).amount == 0
    assert deposit(tx, replace(RES, credit_history_months=24, late_payments_12m=2)).amount > 0
    assert deposit(tx, replace(RES, age_65_plus=True)).amount == 0
    assert deposit(tx, replace(RES, age_65_plus=True, owed_prior_balance_24m=True)).amount > 0


def test_combined_presets_require_the_lowest_deposit():
    assert deposit(pol("AZ_SCOTTSDALE", "UT_ST_GEORGE")).amount == money("125.00")


def test_deposit_interest_simple_annual():
    full_year = amounts.deposit_interest(
        pol("AZ_ACC_WATER"), amount=money(200), start=date(2025, 3, 1), end=date(2026, 3, 1)
    )
    assert full_year.amount == money("12.00")
    half = amounts.deposit_interest(pol(), amount=money(100), start=date(2026, 1, 1), end=date(2026, 7, 2))
    assert half.amount == money("2.99")  # 100 x 6% x 182/365 = 2.9918
    assert amounts.deposit_interest(
        pol("UT_ST_GEORGE"), amount=money(125), start=date(2025, 3, 1), end=date(2026, 3, 1)
    ).amount == money("2.50")
    assert amounts.deposit_interest(
        pol("AZ_SCOTTSDALE"), amount=money(125), start=date(2025, 3, 1), end=date(2026, 3, 1)
    ).amount == money(0)


def test_acc_refund_within_30_days_after_12_months_without_delinquency():
    held = DepositFact(money(150), date(2025, 3, 10))
    ok = amounts.deposit_refund_check(pol("AZ_ACC_WATER"), RES, held, AS_OF)
    assert (ok.eligible, ok.due_on) == (True, date(2026, 4, 9))
    early = amounts.deposit_refund_check(pol("AZ_ACC_WATER"), RES, held, date(2026, 2, 1))
    assert (early.eligible, early.due_on) == (False, date(2026, 4, 9))
    late = amounts.deposit_refund_check(pol("AZ_ACC_WATER"), replace(RES, late_payments_12m=1), held, AS_OF)
    assert (late.eligible, late.due_on) == (False, None) and "at most 0" in late.reason
    assert amounts.deposit_refund_check(pol(), replace(RES, late_payments_12m=2), held, AS_OF).eligible


def test_st_george_refund_after_three_years():
    held = DepositFact(money(125), date(2024, 3, 10))
    assert not amounts.deposit_refund_check(pol("UT_ST_GEORGE"), RES, held, AS_OF).eligible
    result = amounts.deposit_refund_check(pol("UT_ST_GEORGE"), RES, held, date(2027, 3, 10))
    assert result.eligible and result.due_on == date(2027, 4, 9)


def test_pa_arrangement_term_by_income_tier():
    policy = pol("PA_CH14")
    for pct, months in ((140, 60), (150, 60), (200, 36), (280, 12), (350, 6)):
        limits = amounts.arrangement_limits(
            policy, replace(RES, poverty_pct=money(pct)), AS_OF, arrears=money(900)
        )
        assert limits.max_months == months, pct
    legacy = pol("PA_CH14", arrangements__pa_legacy_two_year=True)
    assert (
        amounts.arrangement_limits(
            legacy, replace(RES, poverty_pct=money(200)), AS_OF, arrears=money(1)
        ).max_months
        == 24
    )


def test_ny_down_payment_cap_half_arrears_or_three_bills():
    bills = tuple(BillFact(date(2026, m, 1), date(2026, m, 20), money(100)) for m in (1, 2, 3))
    facts = replace(RES, bills=bills)
    big = amounts.arrangement_limits(pol("NY_HEFPA"), facts, AS_OF, arrears=money(900))
    assert big.down_payment_cap == money("300.00")  # min(450, 3 x 100)
    small = amounts.arrangement_limits(pol("NY_HEFPA"), facts, AS_OF, arrears=money(400))
    assert small.down_payment_cap == money("200.00")  # min(200, 300)
    assert "min(0.5 × arrears $400.00, 3 × average monthly bill $100.00)" in small.checks[-1].reason
    assert amounts.arrangement_limits(pol(), facts, AS_OF, arrears=money(400)).down_payment_cap is None


def test_st_george_one_arrangement_per_year():
    facts = replace(RES, arrangements=(ArrangementFact(date(2026, 1, 15), 2, money(200), status="kept"),))
    limits = amounts.arrangement_limits(pol("UT_ST_GEORGE"), facts, date(2026, 6, 1), arrears=money(200))
    assert not limits.eligible and limits.next_allowed_on == date(2027, 1, 15)
    assert not limits.checks_accepted and limits.late_fees_continue
    assert amounts.arrangement_limits(
        pol("UT_ST_GEORGE"), facts, date(2027, 1, 15), arrears=money(1)
    ).eligible


def test_phoenix_three_months_and_exclusions():
    base = amounts.arrangement_limits(pol("AZ_PHOENIX_WATER"), RES, AS_OF, arrears=money(300))
    assert (base.eligible, base.fixed_months, base.max_months) == (True, 3, 3)
    cases = {
        "ARRANGEMENT_LAST_PAYMENT_RETURNED": replace(
            RES, payments=(PaymentFact(date(2026, 3, 1), money(50), True),)
        ),
        "ARRANGEMENT_FINAL_BILLED": replace(RES, final_billed_on=date(2026, 3, 1)),
        "ARRANGEMENT_IN_DISCONNECTION": replace(RES, disconnect_scheduled=True),
        "ARRANGEMENT_UNAUTHORIZED_USE": replace(RES, unauthorized_use=True),
        "ARRANGEMENT_BROKEN_RECENTLY": replace(
            RES,
            arrangements=(
                ArrangementFact(date(2025, 9, 1), 3, money(90), status="broken", ended_on=date(2025, 10, 1)),
            ),
        ),
        "ARRANGEMENT_ACTIVE": replace(RES, arrangements=(ArrangementFact(date(2026, 2, 1), 3, money(90)),)),
    }
    for code, facts in cases.items():
        limits = amounts.arrangement_limits(pol("AZ_PHOENIX_WATER"), facts, AS_OF, arrears=money(300))
        assert not limits.eligible, code
        assert code in {c.code for c in limits.checks if c.outcome == Outcome.BLOCKED}
    old_break = replace(
        RES,
        arrangements=(
            ArrangementFact(date(2025, 5, 1), 3, money(90), status="broken", ended_on=date(2025, 6, 1)),
        ),
    )
    assert amounts.arrangement_limits(pol("AZ_PHOENIX_WATER"), old_break, AS_OF, arrears=money(300)).eligible


def test_combined_arrangement_limits_take_the_protective_side():
    facts = replace(RES, arrangements=(ArrangementFact(date(2026, 1, 15), 2, money(200), status="kept"),))
    limits = amounts.arrangement_limits(
        pol("UT_ST_GEORGE", "CA_SB998_WATER"), facts, date(2026, 6, 1), arrears=money(1)
    )
    assert limits.eligible and limits.max_months == 12 and limits.next_allowed_on is None


def test_nsf_first_and_subsequent_fees():
    returned = PaymentFact(date(2026, 3, 1), money(80), True, date(2026, 3, 5))
    first = amounts.nsf_outcome(pol(), replace(RES, payments=(returned,)), AS_OF, returned=returned)
    # DEFAULT's fee is the utility's own policy; CPUC's preset sets it by statute (issue 12)
    assert first.fee.amount == money(25) and first.fee.citation == "utility policy"
    cpuc = amounts.nsf_outcome(
        pol("CA_CPUC_ENERGY"), replace(RES, payments=(returned,)), AS_OF, returned=returned
    )
    assert cpuc.fee.citation == "Cal. Civ. Code 1719(a)"
    assert (first.cash_only_until, first.redeem_by, first.immediate_disconnect) == (
        None,
        date(2026, 3, 17),
        False,
    )
    earlier = PaymentFact(date(2025, 1, 1), money(30), True, date(2025, 1, 5))
    second = amounts.nsf_outcome(pol(), replace(RES, payments=(earlier, returned)), AS_OF, returned=returned)
    assert second.fee.amount == money(35) and second.cash_only_until is None  # 14 months apart
    assert amounts.nsf_outcome(
        pol("AZ_MESA"), replace(RES, payments=(earlier, returned)), AS_OF, returned=returned
    ).fee.amount == money(25)


def test_nsf_two_returns_in_six_months_means_cash_only_for_twelve():
    earlier = PaymentFact(date(2025, 10, 1), money(30), True, date(2025, 10, 6))
    returned = PaymentFact(date(2026, 3, 1), money(80), True, date(2026, 3, 5))
    result = amounts.nsf_outcome(pol(), replace(RES, payments=(earlier, returned)), AS_OF, returned=returned)
    assert result.cash_only_until == date(2027, 3, 5)
    assert "2 returned payments within 6 months" in result.checks[0].reason


def test_nsf_redeem_48_hours_when_it_restored_service_and_immediate_disconnect():
    returned = PaymentFact(date(2026, 3, 1), money(80), True, date(2026, 3, 5), restored_service=True)
    assert amounts.nsf_outcome(
        pol(), replace(RES, payments=(returned,)), AS_OF, returned=returned
    ).redeem_by == date(2026, 3, 7)
    avoid = PaymentFact(date(2026, 3, 1), money(80), True, date(2026, 3, 5), to_avoid_disconnect=True)
    result = amounts.nsf_outcome(pol(), replace(RES, payments=(avoid,)), AS_OF, returned=avoid)
    assert result.immediate_disconnect
    normal = pol(nsf__on_disconnect_avoidance="NORMAL")
    assert not amounts.nsf_outcome(
        normal, replace(RES, payments=(avoid,)), AS_OF, returned=avoid
    ).immediate_disconnect


def test_a_second_equal_return_on_the_same_day_is_subsequent():
    """rules.md §1.7 (Cal. Civ. Code 1719): two $40 checks returned the same day are two returns."""
    first = PaymentFact(paid_on=AS_OF, amount=money(40), returned=True, returned_on=AS_OF)
    second = PaymentFact(paid_on=AS_OF, amount=money(40), returned=True, returned_on=AS_OF)
    result = amounts.nsf_outcome(pol(), replace(RES, payments=(first, second)), AS_OF, returned=second)
    assert result.fee.amount == money(35) and result.cash_only_until is not None
