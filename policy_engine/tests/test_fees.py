"""Late, notice, trip and reconnection fees (rules.md §1.2, §1.3, §1.8), by hand."""

from dataclasses import replace
from datetime import date

import pytest

from policy_engine import amounts
from policy_engine.engine import decide
from policy_engine.facts import AccountFacts, ArrangementFact, BankruptcyFact, BillFact

from .builders import money, one_bill, pol

AS_OF = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("past_due", "fee"),
    [
        ("100.00", "5.00"),  # 2% = 2.00 < $5 floor
        ("400.00", "8.00"),  # 2% = 8.00
        ("250.25", "5.01"),  # 2% = 5.005, half up
        ("25.00", "5.00"),  # exactly the minimum balance
        ("24.99", "0.00"),  # owing < $25: none
    ],
)
def test_mesa_late_fee(past_due, fee):
    result = amounts.late_fee_for(pol("AZ_MESA"), money(past_due))
    assert result.amount == money(fee)
    assert result.code == "LATE_FEE" and "mesaaz.gov" in result.citation


def test_mesa_late_fee_reason_shows_the_arithmetic():
    reason = amounts.late_fee_for(pol("AZ_MESA"), money(400)).reason
    assert reason == "max(2% of the past-due balance of $400.00 = $8.00, $5.00) = $8.00."
    assert "under the $25.00 minimum" in amounts.late_fee_for(pol("AZ_MESA"), money(10)).reason


def test_late_fee_from_account_uses_past_due_principal_only():
    facts = AccountFacts(
        bills=(
            BillFact(date(2026, 1, 1), date(2026, 1, 20), money(400)),
            BillFact(date(2026, 3, 1), date(2026, 3, 20), money(900)),
        )
    )
    assert amounts.late_fee(pol("AZ_MESA"), facts, AS_OF).amount == money("8.00")  # the March bill is not due


def test_tx_water_one_time_five_dollars_never_twice_on_a_bill():
    bills = (
        BillFact(date(2026, 1, 1), date(2026, 1, 20), money(80), late_fee_assessed=True),
        BillFact(date(2026, 2, 1), date(2026, 2, 20), money(90)),
    )
    facts = AccountFacts(bills=bills)
    assert amounts.late_fee(pol("TX_PUC_WATER"), facts, AS_OF).amount == money("5.00")
    both = replace(facts, bills=(bills[0], replace(bills[1], late_fee_assessed=True)))
    result = amounts.late_fee(pol("TX_PUC_WATER"), both, AS_OF)
    assert result.amount == money("0.00") and "never twice" in result.reason
    assert result.citation == "16 TAC 24.165(c)"


def test_tx_ten_percent_alternative():
    policy = pol("TX_PUC_WATER", late_fee__formula="PCT")
    assert amounts.late_fee_for(policy, money("87.35")).amount == money("8.74")  # 8.735 half up


def test_one_and_a_half_percent_per_month_on_the_bill():
    policy = pol(
        late_fee__formula="PCT", late_fee__pct="0.015", late_fee__base="BILL", late_fee__min_balance=0
    )
    assert amounts.late_fee_for(policy, money(50), bill_amount=money(200)).amount == money("3.00")


def test_ny_municipal_gas_late_charge():
    policy = pol("NY_HEFPA")
    assert amounts.late_fee_for(policy, money(100)).amount == money("3.70")  # 1.00 + 3% of 90
    assert amounts.late_fee_for(policy, money(1)).amount == money("0.15")  # 10 cents -> minimum 15


def test_phoenix_no_late_fees_once_on_low_flow():
    facts = one_bill(date(2026, 1, 20), service_state="low_flow")
    result = amounts.late_fee(pol("AZ_PHOENIX_WATER"), facts, AS_OF)
    assert result.amount == money(0) and "Ord. G-6741" in result.citation
    apartment = replace(facts, single_family=False)
    assert amounts.late_fee(pol("AZ_PHOENIX_WATER"), apartment, AS_OF).amount == money("5.00")


def test_az_no_late_fees_during_the_moratorium_unless_configured():
    facts = one_bill(date(2026, 6, 1))
    result = amounts.late_fee(pol("AZ_ACC_ELECTRIC"), facts, date(2026, 7, 1))
    assert result.amount == money(0) and "moratorium" in result.reason
    accrue = pol("AZ_ACC_ELECTRIC", weather__late_fees_during_moratorium=True)
    assert amounts.late_fee(accrue, facts, date(2026, 7, 1)).amount == money("5.00")
    assert amounts.late_fee(pol("AZ_ACC_ELECTRIC"), facts, date(2026, 10, 16)).amount == money("5.00")


def test_sb998_low_income_interest_waiver_once_per_12_months():
    facts = one_bill(date(2026, 1, 20), poverty_pct=money(150))
    waived = amounts.late_fee(pol("CA_SB998_WATER"), facts, AS_OF)
    assert waived.amount == money(0) and "once every 12 months" in waived.reason
    assert waived.citation == "HSC 116914(a)(2)"
    recent = replace(facts, last_late_fee_waiver_on=date(2025, 9, 10))
    assert amounts.late_fee(pol("CA_SB998_WATER"), recent, AS_OF).amount == money("5.00")
    a_year_ago = replace(facts, last_late_fee_waiver_on=date(2025, 3, 10))
    assert amounts.late_fee(pol("CA_SB998_WATER"), a_year_ago, AS_OF).amount == money(0)
    not_low_income = replace(facts, poverty_pct=money(250))
    assert amounts.late_fee(pol("CA_SB998_WATER"), not_low_income, AS_OF).amount == money("5.00")


def test_pa_late_charges_waived_at_or_below_150_percent():
    assert (
        amounts.late_fee(pol("PA_CH14"), one_bill(date(2026, 1, 20), poverty_pct=money(150)), AS_OF).amount
        == 0
    )
    assert (
        amounts.late_fee(pol("PA_CH14"), one_bill(date(2026, 1, 20), poverty_pct=money(151)), AS_OF).amount
        == 5
    )


def test_no_late_fee_on_plan_when_policy_stops_it():
    plan = ArrangementFact(date(2026, 2, 1), 6, money(100))
    facts = one_bill(date(2026, 1, 20), arrangements=(plan,))
    assert amounts.late_fee(pol("UT_ST_GEORGE"), facts, AS_OF).amount == money("5.00")  # they continue
    stop = pol(arrangements__late_fees_accrue_during_plan=False)
    assert amounts.late_fee(stop, facts, AS_OF).amount == money(0)


def test_no_late_fees_on_pre_petition_debt():
    facts = one_bill(date(2026, 1, 20), bankruptcy=BankruptcyFact(7, date(2026, 2, 1)))
    result = amounts.late_fee(pol(), facts, AS_OF)
    assert result.amount == money(0) and "pre-petition" in result.reason


def test_combined_presets_charge_the_lowest_late_fee():
    policy = pol("AZ_MESA", "TX_PUC_WATER", "NY_HEFPA")
    result = amounts.late_fee_for(policy, money(400))
    assert result.amount == money("5.00")  # Mesa 8.00, TX 5.00, NY 12.70
    assert result.reason.endswith("[TX_PUC_WATER]")


def test_notice_and_trip_fees():
    assert amounts.notice_fee(pol("AZ_MESA")).amount == money("3.00")
    assert amounts.trip_fee(pol("AZ_MESA")).amount == money("21.00")
    assert amounts.notice_fee(pol()).amount == money(0)
    assert amounts.notice_fee(pol("AZ_MESA", "DEFAULT")).amount == money(0)


def test_reconnect_fee_normal_and_after_hours():
    facts = one_bill(date(2026, 1, 20))
    assert amounts.reconnect_fee(pol("UT_ST_GEORGE"), facts, after_hours=False, on=AS_OF).amount == money(25)
    assert amounts.reconnect_fee(pol("UT_ST_GEORGE"), facts, after_hours=True, on=AS_OF).amount == money(50)
    assert amounts.reconnect_fee(pol("CA_CPUC_ENERGY"), facts, after_hours=True, on=AS_OF).amount == money(0)


def test_sb998_low_income_reconnect_caps_with_cpi_and_actual_cost():
    policy = pol(
        "CA_SB998_WATER",
        reconnect__fee_normal="80",
        reconnect__fee_after_hours="200",
        reconnect__cpi_factor="1.05",
    )
    low = one_bill(date(2026, 1, 20), benefit_programs=("MEDI-CAL",))
    normal = amounts.reconnect_fee(policy, low, after_hours=False, on=AS_OF)
    assert normal.amount == money("52.50") and normal.citation == "HSC 116914(a)(1)"
    assert amounts.reconnect_fee(policy, low, after_hours=True, on=AS_OF).amount == money("157.50")
    assert amounts.reconnect_fee(
        policy, low, after_hours=True, on=AS_OF, actual_cost=money(40)
    ).amount == money(40)
    assert amounts.reconnect_fee(policy, low, after_hours=False, on=date(2020, 6, 1)).amount == money(
        50
    )  # pre-CPI
    regular = one_bill(date(2026, 1, 20), poverty_pct=money(300))
    assert amounts.reconnect_fee(policy, regular, after_hours=False, on=AS_OF).amount == money(80)


def test_decision_carries_the_amounts_of_the_moment():
    d = decide(pol("AZ_MESA"), one_bill(date(2026, 1, 20), "400.00"), AS_OF)
    found = {a.code: a.amount for a in d.amounts}
    assert found == {"LATE_FEE": money("8.00"), "NOTICE_FEE": money("3.00"), "RECONNECT_FEE": money("25.00")}


def test_pa_restoration_terms_by_income_tier():
    facts = one_bill(date(2026, 1, 20), poverty_pct=money(350))
    full = amounts.restoration_terms(pol("PA_CH14"), facts, AS_OF, balance=money(600))
    assert (full.pay_now, full.remaining_months) == (money(600), 0)
    middle = amounts.restoration_terms(
        pol("PA_CH14"), replace(facts, poverty_pct=money(200)), AS_OF, balance=money(600)
    )
    assert (middle.pay_now, middle.remaining_months) == (money(0), 12)
    assert middle.citation == "66 Pa.C.S. 1407(c)(2)"
    two_defaults = replace(
        facts,
        poverty_pct=money(200),
        arrangements=(
            ArrangementFact(date(2025, 1, 1), 6, money(100), status="broken"),
            ArrangementFact(date(2025, 7, 1), 6, money(100), status="broken"),
        ),
    )
    assert amounts.restoration_terms(pol("PA_CH14"), two_defaults, AS_OF, balance=money(600)).pay_now == 600
    default = amounts.restoration_terms(pol(), facts, AS_OF, balance=money(600))
    assert default.pay_now == money(100)  # the past-due balance
