"""The parameter names of rules.md §3, as written there, for the catalogue parameters they name.

rules.md §3 writes its YAML in camelCase and groups a few parameters the catalogue keeps flat
(`notices.finalContactAttempt.hours` is `contact.lead_hours`); the catalogue's snake_case dotted
path is the canonical name, the one stored in a policy version. Overrides accept either
(`params.canonical_path`). §3 entries that are formulas or notes rather than one parameter
(`arrangements.downPaymentCap`, `deposit.nonResidential`, `notices.alt`, `lateFee.alt`) have no
alias: the catalogue splits them into several parameters (`arrangements.down_payment_cap_*`,
`deposit.non_residential_formula` / `_multiple`)."""

RULES_MD_NAMES: dict[str, str] = {
    "delinquency.clockStart": "delinquency.clock_start",
    "delinquency.minDaysBeforeDisconnect": "delinquency.min_days_before_disconnect",
    "notices.preDisconnectLead": "notices.pre_disconnect_lead",
    "notices.finalContactAttempt.hours": "contact.lead_hours",
    "notices.finalContactAttempt.fallbackNoticeHours": "contact.fallback_notice_hours",
    "notices.occupantNoticeDays": "notices.occupant_notice_days",
    "blackout.dayBeforeHoliday": "blackout.day_before_holiday",
    "blackout.cutoffTimeBeforeClosedDay": "blackout.cutoff_time_before_closed_day",
    "weather.hotThresholdF": "weather.hot_threshold_f",
    "weather.coldThresholdF": "weather.cold_threshold_f",
    "weather.lookAheadHours": "weather.look_ahead_hours",
    "weather.heatAdvisoryLookbackDays": "weather.heat_advisory_lookback_days",
    "weather.lateFeesDuringMoratorium": "weather.late_fees_during_moratorium",
    "protections.medical.validityDays": "protections.medical.validity_days",
    "protections.medical.maxRenewalsWhenNotPaying": "protections.medical.max_renewals_when_not_paying",
    "protections.liheapPledgeBlocks": "protections.liheap_pledge_blocks",
    "protections.pledgeGraceDays": "protections.pledge_grace_days",
    "protections.appealBlocks": "protections.appeal_blocks",
    "protections.minArrearsForDisconnect": "protections.min_arrears_for_disconnect",
    "arrangements.maxMonths": "arrangements.max_months",
    "arrangements.minMonthsIfRequested": "arrangements.min_months_if_requested",
    "arrangements.perYearLimit": "arrangements.per_year_limit",
    "arrangements.brokenLookbackMonths": "arrangements.broken_lookback_months",
    "arrangements.defaultToleranceDays": "arrangements.default_tolerance_days",
    "arrangements.lateFeesAccrueDuringPlan": "arrangements.late_fees_accrue_during_plan",
    "lateFee.formula": "late_fee.formula",
    "lateFee.pct": "late_fee.pct",
    "lateFee.floor": "late_fee.floor",
    "lateFee.minBalance": "late_fee.min_balance",
    "deposit.interestRate": "deposit.interest_rate",
    "deposit.interestMethod": "deposit.interest_method",
    "deposit.refundAfterMonths": "deposit.refund_after_months",
    "deposit.refundMaxLatePayments": "deposit.refund_max_late_payments",
    "deposit.refundWithinDays": "deposit.refund_within_days",
    "deposit.waiverLetterOfCredit.months": "deposit.loc_months",
    "deposit.waiverLetterOfCredit.maxDelinquencies": "deposit.loc_max_delinquencies",
    "deposit.waiverLetterOfCredit.maxDisconnects": "deposit.loc_max_disconnects",
    "nsf.feeFirst": "nsf.fee_first",
    "nsf.feeSubsequent": "nsf.fee_subsequent",
    "nsf.redeemDays": "nsf.redeem_days",
    "nsf.redeemHoursIfRestoringService": "nsf.redeem_hours_if_restoring_service",
    "nsf.cashOnly.count": "nsf.cash_only_count",
    "nsf.cashOnly.windowMonths": "nsf.cash_only_window_months",
    "nsf.cashOnly.restrictionMonths": "nsf.cash_only_months",
    "nsf.nsfOnDisconnectAvoidancePayment": "nsf.on_disconnect_avoidance",
    "reconnect.feeNormal": "reconnect.fee_normal",
    "reconnect.feeAfterHours": "reconnect.fee_after_hours",
    "reconnect.lowIncomeCapNormal": "reconnect.low_income_cap_normal",
    "reconnect.lowIncomeCapAfterHours": "reconnect.low_income_cap_after_hours",
    "reconnect.cpiAdjust": "reconnect.cpi_adjust",
    "collections.referralDaysAfterFinalBill": "collections.referral_days_after_final_bill",
    "collections.collectionFeePct": "collections.collection_fee_pct",
    "collections.interestPerMonthAfterReferral": "collections.interest_per_month_after_referral",
    "collections.smallBalanceWriteOff": "collections.small_balance_write_off",
    "bankruptcy.assuranceDays": "bankruptcy.assurance_days",
    "bankruptcy.chapter11Days": "bankruptcy.chapter11_days",
    "bankruptcy.rollWeekendHoliday": "bankruptcy.roll_weekend_holiday",
    "lowIncome.recertMonths": "low_income.recert_months",
    "lowIncome.notifyIneligibleDays": "low_income.notify_ineligible_days",
}

_BY_CANONICAL = {canonical: alias for alias, canonical in RULES_MD_NAMES.items()}


def rules_md_name(path: str) -> str | None:
    """rules.md §3's name for a catalogue path, when §3 writes it differently; else None."""
    return _BY_CANONICAL.get(path)
