"""Parameter names as rules.md §3 writes them (camelCase, e.g. `delinquency.clockStart`) are
accepted beside the catalogue's snake_case paths; one canonical (snake_case) form is stored."""

import re
from decimal import Decimal

import pytest

from policy_engine import params
from policy_engine.catalogue import BY_PATH
from policy_engine.names import RULES_MD_NAMES, rules_md_name
from policy_engine.policy import PolicyError, policy_build

# Every leaf of the rules.md §3 YAML that names one parameter, exactly as written there.
SECTION_3_NAMES = (
    "delinquency.clockStart",
    "delinquency.minDaysBeforeDisconnect",
    "notices.preDisconnectLead",
    "notices.finalContactAttempt.hours",
    "notices.finalContactAttempt.fallbackNoticeHours",
    "notices.occupantNoticeDays",
    "blackout.weekdays",
    "blackout.holidays",
    "blackout.dayBeforeHoliday",
    "blackout.fridays",
    "blackout.cutoffTimeBeforeClosedDay",
    "weather.mode",
    "weather.hotThresholdF",
    "weather.coldThresholdF",
    "weather.lookAheadHours",
    "weather.heatAdvisoryLookbackDays",
    "weather.lateFeesDuringMoratorium",
    "protections.medical.mode",
    "protections.medical.validityDays",
    "protections.medical.maxRenewalsWhenNotPaying",
    "protections.liheapPledgeBlocks",
    "protections.pledgeGraceDays",
    "protections.appealBlocks",
    "protections.minArrearsForDisconnect",
    "arrangements.maxMonths",
    "arrangements.minMonthsIfRequested",
    "arrangements.perYearLimit",
    "arrangements.brokenLookbackMonths",
    "arrangements.defaultToleranceDays",
    "arrangements.lateFeesAccrueDuringPlan",
    "lateFee.formula",
    "lateFee.pct",
    "lateFee.floor",
    "lateFee.minBalance",
    "deposit.formula",
    "deposit.interestRate",
    "deposit.interestMethod",
    "deposit.refundAfterMonths",
    "deposit.refundMaxLatePayments",
    "deposit.refundWithinDays",
    "deposit.waiverLetterOfCredit.months",
    "deposit.waiverLetterOfCredit.maxDelinquencies",
    "deposit.waiverLetterOfCredit.maxDisconnects",
    "nsf.feeFirst",
    "nsf.feeSubsequent",
    "nsf.redeemDays",
    "nsf.redeemHoursIfRestoringService",
    "nsf.cashOnly.count",
    "nsf.cashOnly.windowMonths",
    "nsf.cashOnly.restrictionMonths",
    "nsf.nsfOnDisconnectAvoidancePayment",
    "reconnect.feeNormal",
    "reconnect.feeAfterHours",
    "reconnect.lowIncomeCapNormal",
    "reconnect.lowIncomeCapAfterHours",
    "reconnect.cpiAdjust",
    "collections.referralDaysAfterFinalBill",
    "collections.collectionFeePct",
    "collections.interestPerMonthAfterReferral",
    "collections.smallBalanceWriteOff",
    "bankruptcy.assuranceDays",
    "bankruptcy.chapter11Days",
    "bankruptcy.rollWeekendHoliday",
    "lowIncome.recertMonths",
    "lowIncome.notifyIneligibleDays",
)


def test_every_section_3_name_maps_to_a_catalogue_parameter() -> None:
    for name in SECTION_3_NAMES:
        canonical = params.canonical_path(name)
        assert canonical in BY_PATH, name
    assert set(RULES_MD_NAMES) == set(SECTION_3_NAMES) - {p for p in SECTION_3_NAMES if p in BY_PATH}


def test_section_3_names_where_the_catalogue_differs() -> None:
    # §3 groups some parameters the catalogue keeps flat (finalContactAttempt, cashOnly, waiverLetterOfCredit)
    assert params.canonical_path("delinquency.clockStart") == "delinquency.clock_start"
    assert params.canonical_path("notices.finalContactAttempt.hours") == "contact.lead_hours"
    assert params.canonical_path("nsf.cashOnly.restrictionMonths") == "nsf.cash_only_months"
    assert params.canonical_path("nsf.nsfOnDisconnectAvoidancePayment") == "nsf.on_disconnect_avoidance"
    assert params.canonical_path("deposit.waiverLetterOfCredit.months") == "deposit.loc_months"
    assert params.canonical_path("lowIncome.recertMonths") == "low_income.recert_months"
    assert rules_md_name("delinquency.clock_start") == "delinquency.clockStart"
    assert rules_md_name("weather.mode") is None  # §3 writes it as the catalogue does
    assert rules_md_name("late_fee.flat") is None  # not in §3


def test_a_section_3_name_overrides_like_the_canonical_one() -> None:
    # rules.md §3: delinquency.clockStart: DUE_DATE, alt BILL_DATE; lateFee.pct 0.02
    by_alias = policy_build(
        presets=["DEFAULT"], overrides={"delinquency.clockStart": "BILL_DATE", "lateFee.pct": "0.015"}
    )
    assert by_alias.param("delinquency.clock_start") == "BILL_DATE"
    assert by_alias.param("late_fee.pct") == Decimal("0.015")
    lead = policy_build(presets=["DEFAULT"], overrides={"notices.preDisconnectLead.value": 10})
    assert lead.param("notices.pre_disconnect_lead") == {"value": 10, "unit": "BUSINESS_DAYS"}


def test_canonical_overrides_store_one_form_and_refuse_a_name_given_twice() -> None:
    stored = params.canonical_overrides({"nsf.feeFirst": 30, "weather.mode": "TEMPERATURE"})
    assert stored == {"nsf.fee_first": 30, "weather.mode": "TEMPERATURE"}  # values as given: JSON
    with pytest.raises(PolicyError, match=re.escape("nsf.fee_first")):
        params.canonical_overrides({"nsf.feeFirst": 30, "nsf.fee_first": 35})
    with pytest.raises(PolicyError, match=re.escape("delinquency.clockStart")):  # the caller's own name
        params.canonical_overrides({"delinquency.clockStart": "TOMORROW"})


def test_unknown_camel_case_name_is_still_unknown() -> None:
    with pytest.raises(PolicyError, match=re.escape("lateFee.noSuch")):
        params.canonical_path("lateFee.noSuch")
