# ruff: noqa: E501 -- a data table: one parameter per entry reads better than wrapped lines
"""The presets of rules.md §2: named bundles of parameter overrides on top of DEFAULT, each value
with its citation. Values the research could not verify against the source text ([M]) carry
`manual=True` so the admin UI can say "confirm with counsel" beside them."""

from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any

D = Decimal


@dataclass(frozen=True)
class PresetValue:
    value: Any
    citation: str
    manual: bool = False  # [M] in rules.md: counsel should confirm before go-live


@dataclass(frozen=True)
class Preset:
    name: str
    label: str
    summary: str
    values: dict[str, PresetValue] = field(default_factory=dict)

    @property
    def overrides(self) -> dict[str, Any]:
        return {path: pv.value for path, pv in self.values.items()}

    @property
    def manual_paths(self) -> list[str]:
        return [path for path, pv in self.values.items() if pv.manual]


def v(value: Any, citation: str, manual: bool = False) -> PresetValue:
    return PresetValue(value, citation, manual)


BUSINESS = "BUSINESS_DAYS"
CALENDAR = "CALENDAR_DAYS"

SB998: dict[str, PresetValue] = {
    "applicability.residential_only": v(True, "HSC 116908(a)"),
    "applicability.utilities": v(["water"], "HSC 116902"),
    "applicability.min_system_connections": v(200, "HSC 116902"),
    "applicability.effective_from": v("2020-02-01", "SB 998 §2 (compliance Feb 1 2020)", True),
    "applicability.small_systems_from": v("2024-08-01", "SB 3 (2023)", True),
    "delinquency.clock_start": v("DUE_DATE", "HSC 116908(a)(1)(A)"),
    "delinquency.min_days_before_disconnect": v(60, "HSC 116908(a)(1)(A)"),
    "notices.pre_disconnect_lead": v({"value": 7, "unit": BUSINESS}, "HSC 116908(a)(1)(A)"),
    "notices.final_posting_after_plan_default": v({"value": 5, "unit": BUSINESS}, "HSC 116910", True),
    "notices.occupant_notice_days": v(10, "HSC 116916/116918", True),
    "notices.translations": v(["es", "zh", "tl", "vi", "ko"], "HSC 116906(b); Civ. Code 1632(b)", True),
    "arrangements.default_tolerance_days": v(60, "HSC 116910"),
    "arrangements.max_months": v(12, "HSC 116910(b)", True),
    "arrangements.hardship_max_months": v(24, "HSC 116910(b) (undue hardship; length not set)", True),
    "protections.medical.mode": v("SB998", "HSC 116910(a)(1)-(3)"),
    "protections.appeal_blocks": v(True, "HSC 116908(b)"),
    "reconnect.low_income_caps": v(True, "HSC 116914(a)(1)"),
    "reconnect.low_income_cap_normal": v(D("50.00"), "HSC 116914(a)(1)"),
    "reconnect.low_income_cap_after_hours": v(D("150.00"), "HSC 116914(a)(1)"),
    "reconnect.cpi_adjust": v(True, "HSC 116914(a)(1)"),
    "reconnect.cap_at_actual_cost": v(True, "HSC 116914(a)(1)"),
    "late_fee.low_income_interest_waiver_months": v(12, "HSC 116914(a)(2)"),
    "low_income.programs": v(
        ["CALWORKS", "CALFRESH", "GA", "MEDI-CAL", "SSI", "SSP", "WIC"], "HSC 116910(a)(2); 116914(b)", True
    ),
}

_PRESETS: list[Preset] = [
    Preset("DEFAULT", "Parameter catalogue defaults", "rules.md §3 defaults (SB 998-style timing).", {}),
    Preset("CA_SB998_WATER", "California SB 998 (water)",
           "60 days delinquent, 7 business days' notice, SB 998 medical test, low-income caps.", SB998),
    Preset("CA_CPUC_ENERGY", "California CPUC energy/water corporations",
           "19 days to pay; notice + 5-day mailing lag + 10 days; contact 24 h / 48 h; no deposits or "
           "reconnection fees; 72 h weather look-ahead.", {
               "applicability.residential_only": v(True, "PUC 779.1"),
               "delinquency.bill_pay_days": v(19, "PUC 779.1(a)"),
               "delinquency.min_days_before_disconnect": v(0, "PUC 779.1 (notice timing governs)"),
               "notices.pre_disconnect_lead": v({"value": 10, "unit": CALENDAR}, "PUC 779.1(a)"),
               "notices.mailing_lag_days": v(5, "PUC 779.1(a)"),
               "notices.earliest_after_bill_days": v(19, "PUC 779.1(a)"),
               "notices.earliest_after_due_days": v(0, "PUC 779.1(a) (19 days from mailing the bill, the due date at the earliest)"),
               "contact.required": v(True, "PUC 779.1(b)"),
               "contact.lead_hours": v(24, "PUC 779.1(b)"),
               "contact.fallback_notice_hours": v(48, "PUC 779.1(b)"),
               "protections.liheap_pledge_blocks": v(True, "CPUC D.20-06-003"),
               "protections.medical.life_support_as_certificate": v(True, "PUC 779.3"),
               "arrangements.max_months": v(12, "CPUC D.20-06-003"),
               "arrangements.min_months_if_requested": v(3, "CPUC D.12-03-054"),
               "deposit.formula": v("PROHIBITED", "CPUC D.20-06-003"),
               "deposit.non_residential_formula": v("PROHIBITED", "CPUC D.20-06-003"),
               "reconnect.fee_normal": v(D("0.00"), "CPUC D.20-06-003"),
               "reconnect.fee_after_hours": v(D("0.00"), "CPUC D.20-06-003"),
               "weather.mode": v("TEMPERATURE", "CPUC D.20-06-003", True),
               "weather.look_ahead_hours": v(72, "CPUC D.20-06-003"),
               "nsf.fee_first": v(D("25.00"), "Cal. Civ. Code 1719(a)"),
               "nsf.fee_subsequent": v(D("35.00"), "Cal. Civ. Code 1719(a)"),
           }),
    Preset("CA_MUNI_WATER", "California municipal water (Sacramento / Santa Paula)",
           "SB 998 plus blackout on weekends, holidays and office-closed days; final notice posted 48 h; "
           "contact an adult 24 h before.", {
               **SB998,
               "blackout.weekdays": v(["SAT", "SUN"], "Santa Paula 55.14; Riverbank"),
               "blackout.holidays": v(True, "Santa Paula 55.14; Riverbank"),
               "notices.final_notice_hours": v(48, "Sacramento City Code 13.12"),
               "contact.required": v(True, "Sacramento City Code 13.12"),
               "contact.lead_hours": v(24, "Sacramento City Code 13.12"),
               "arrangements.max_months": v(12, "Sacramento 13.12.160; Santa Paula"),
           }),
    Preset("AZ_ACC_ELECTRIC", "Arizona Corporation Commission (electric)",
           "Summer moratorium Jun 1–Oct 15 (or temperature); annual medical certificate; no late fees "
           "during the moratorium; 10 days' notice (the proposed final notice 2 days before is off until "
           "confirmed).", {
               "weather.mode": v("AZ_CALENDAR", "R14-2-211; azcentral 2021-11-04"),
               "weather.moratorium_start": v("06-01", "R14-2-211"),
               "weather.moratorium_end": v("10-15", "R14-2-211"),
               "weather.hot_threshold_f": v(95, "ACC 2021 rule"),
               "weather.cold_threshold_f": v(32, "ACC 2021 rule"),
               "weather.late_fees_during_moratorium": v(False, "ACC Decisions 77260/77261 (2019)", True),
               "protections.medical.mode": v("AZ_ANNUAL", "R14-2-211(A)(5)"),
               "protections.medical.validity_days": v(365, "R14-2-211(A)(5)"),
               "protections.medical.max_renewals_when_not_paying": v(None, "R14-2-211(A)(5)"),
               "notices.pre_disconnect_lead": v({"value": 10, "unit": CALENDAR}, "ACC staff proposal 2019", True),
               "notices.final_notice_hours": v(None, "ACC staff proposal 2019 (final notice 2 days before: proposal text, confirm the final rule; set 48 once confirmed)", True),
               "contact.third_party_days": v(5, "ACC 2021 rule (azcentral)"),
               "delinquency.min_days_before_disconnect": v(0, "R14-2-211 (notice timing governs)", True),
           }),
    Preset("AZ_ACC_WATER", "Arizona Corporation Commission (water)",
           "Deposits ≤ 2 × average bill (non-residential 2.5 × highest), 6% interest, refund 30 days "
           "after 12 months without delinquency.", {
               "deposit.formula": v("AVG_MULTIPLE", "R14-2-403", True),
               "deposit.multiple": v(D("2"), "R14-2-403", True),
               "deposit.non_residential_formula": v("MAX_MULTIPLE", "R14-2-403", True),
               "deposit.non_residential_multiple": v(D("2.5"), "R14-2-403", True),
               "deposit.interest_rate": v(D("0.06"), "R14-2-403(B)(3)"),
               "deposit.refund_after_months": v(12, "R14-2-403(B)(5)"),
               "deposit.refund_max_late_payments": v(0, "R14-2-403(B)(5)"),
               "deposit.refund_within_days": v(30, "R14-2-403(B)(5)"),
           }),
    Preset("AZ_ACC_SEWER", "Arizona Corporation Commission (sewer)",
           "Due +10 days past due, +10 delinquent, +5 termination procedures may start.", {
               "delinquency.past_due_grace_days": v(10, "R14-2-608(C)"),
               "delinquency.min_days_before_disconnect": v(15, "R14-2-608(C)"),
               "applicability.utilities": v(["sewer"], "R14-2-608"),
           }),
    Preset("AZ_PHOENIX_WATER", "City of Phoenix water",
           "Shutoff process at 31 days past due; low-flow instead of shutoff for single-family homes; "
           "no late fees once on low-flow; 3-month arrangements with exclusions; LOC deposit waiver.", {
               "delinquency.min_days_before_disconnect": v(31, "Fox10 (City of Phoenix, Jan 2022)"),
               "action.low_flow_instead": v(True, "Ord. G-6741; phoenix.gov 2022"),
               "late_fee.stop_on_low_flow_or_shutoff": v(True, "Ord. G-6741; City Code 37-85/37-88"),
               "arrangements.fixed_months": v(3, "Fox10 (City statement)"),
               "arrangements.max_months": v(3, "Fox10 (City statement)"),
               "arrangements.min_months_if_requested": v(3, "Fox10 (City statement)"),
               "arrangements.broken_lookback_months": v(6, "Fox10 (City statement)"),
               "arrangements.exclude_if_last_payment_returned": v(True, "Fox10 (City statement)"),
               "arrangements.exclude_if_final_billed": v(True, "Fox10 (City statement)"),
               "arrangements.exclude_if_in_disconnection": v(True, "Fox10 (City statement)"),
               "arrangements.exclude_if_unauthorized_use": v(True, "Fox10 (City statement)"),
               "deposit.loc_waiver": v(True, "phoenix.gov Water FAQ"),
               "deposit.loc_months": v(12, "phoenix.gov Water FAQ"),
               "deposit.loc_max_delinquencies": v(2, "phoenix.gov Water FAQ"),
               "deposit.loc_max_disconnects": v(0, "phoenix.gov Water FAQ"),
               "deposit.refund_after_months": v(12, "phoenix.gov Water FAQ"),
               "deposit.refund_max_late_payments": v(0, "phoenix.gov Water FAQ (on-time payments)"),
           }),
    Preset("AZ_MESA", "City of Mesa",
           "Late fee max(2% of past due, $5), none under $25; NSF $25; notice $3; trip $21; "
           "commercial deposit 2.5 × high month.", {
               "late_fee.formula": v("MAX_PCT_FLOOR", "mesaaz.gov Returned Items & Delinquency Fees"),
               "late_fee.pct": v(D("0.02"), "mesaaz.gov"),
               "late_fee.floor": v(D("5.00"), "mesaaz.gov"),
               "late_fee.min_balance": v(D("25.00"), "mesaaz.gov (older page: $20)"),
               "nsf.fee_first": v(D("25.00"), "mesaaz.gov"),
               "nsf.fee_subsequent": v(D("25.00"), "mesaaz.gov"),
               "fees.notice": v(D("3.00"), "mesaaz.gov"),
               "fees.trip": v(D("21.00"), "mesaaz.gov (older page: $17)"),
               "deposit.non_residential_formula": v("MAX_MULTIPLE", "mesaaz.gov commercial service"),
               "deposit.non_residential_multiple": v(D("2.5"), "mesaaz.gov commercial service"),
               "low_income.recert_months": v(60, "mesaaz.gov senior rate"),
           }),
    Preset("AZ_TUCSON_WATER", "Tucson Water",
           "Residential deposit $200 flat; other classes 2 × estimated monthly bill; refund after 1 year "
           "in good standing, with interest.", {
               "deposit.formula": v("FLAT", "Tucson Code 27-9"),
               "deposit.flat_owner": v(D("200.00"), "Tucson Code 27-9"),
               "deposit.flat_renter": v(D("200.00"), "Tucson Code 27-9"),
               "deposit.non_residential_formula": v("AVG_MULTIPLE", "Tucson Code 27-9"),
               "deposit.non_residential_multiple": v(D("2"), "Tucson Code 27-9"),
               "deposit.refund_after_months": v(12, "Tucson Code 27-9(b)(4)"),
               "deposit.refund_max_late_payments": v(0, "Tucson Code 27-9(b)(4)"),
           }),
    Preset("AZ_SCOTTSDALE", "City of Scottsdale",
           "Deposit 2 × average monthly bill (12 months at the premises); no interest; credited on the "
           "13th bill after 12 timely payments.", {
               "deposit.formula": v("AVG_MULTIPLE", "Scottsdale deposit page"),
               "deposit.multiple": v(D("2"), "Scottsdale deposit page"),
               "deposit.months": v(12, "Scottsdale deposit page"),
               "deposit.interest_rate": v(D("0"), "Scottsdale deposit page"),
               "deposit.interest_method": v("NONE", "Scottsdale deposit page"),
               "deposit.refund_after_months": v(12, "Scottsdale deposit page"),
               "deposit.refund_max_late_payments": v(0, "Scottsdale deposit page"),
           }),
    Preset("UT_ST_GEORGE", "City of St. George",
           "Renter deposit $125 (owners none), 2% interest, refund after 3 years; one arrangement a "
           "year, default ⇒ next-day disconnection; reconnect $25 / $50 after hours.", {
               "deposit.formula": v("FLAT", "sgcity.org FAQ"),
               "deposit.flat_owner": v(D("0.00"), "sgcity.org FAQ"),
               "deposit.flat_renter": v(D("125.00"), "sgcity.org FAQ"),
               "deposit.interest_rate": v(D("0.02"), "sgcity.org FAQ"),
               "deposit.refund_after_months": v(36, "sgcity.org FAQ"),
               "deposit.refund_max_late_payments": v(0, "sgcity.org FAQ (timely payments)"),
               "arrangements.per_year_limit": v(1, "sgcity.org Utility Payment Arrangement"),
               "arrangements.late_fees_accrue_during_plan": v(True, "sgcity.org Utility Payment Arrangement"),
               "arrangements.default_disconnect_next_day": v(True, "sgcity.org Utility Payment Arrangement"),
               "arrangements.checks_accepted": v(False, "sgcity.org Utility Payment Arrangement"),
               "reconnect.fee_normal": v(D("25.00"), "sgcity.org"),
               "reconnect.fee_after_hours": v(D("50.00"), "sgcity.org"),
           }),
    Preset("NY_HEFPA", "New York HEFPA",
           "Final notice not before due + 20 days and at least 15 days before termination; DPA down "
           "payment ≤ min(½ arrears, 3 × average bill); medical 30 days renewable; cold period "
           "Nov 1–Apr 15; multiple dwellings 15/18 days.", {
               "applicability.residential_only": v(True, "PSL 30"),
               "notices.pre_disconnect_lead": v({"value": 15, "unit": CALENDAR}, "PSL 32(2)(d)"),
               "notices.earliest_after_due_days": v(20, "PSL 32(2)(d)"),
               "delinquency.min_days_before_disconnect": v(0, "PSL 32 (notice timing governs)"),
               "notices.occupant_notice_days": v(15, "16 NYCRR 11.7(a); PSL 34"),
               "notices.occupant_notice_days_mailed": v(18, "16 NYCRR 11.7(a); PSL 34"),
               "arrangements.down_payment_cap_arrears_fraction": v(D("0.5"), "PSL 37(1)"),
               "arrangements.down_payment_cap_avg_bills": v(D("3"), "PSL 37(1)"),
               "protections.medical.validity_days": v(30, "PSL 32(3)(a); 16 NYCRR 11.5", True),
               "protections.medical.max_renewals_when_not_paying": v(None, "PSL 32(3)(a)", True),
               "protections.cold_period_start": v("11-01", "18 NYCRR 394.1(a)"),
               "protections.cold_period_end": v("04-15", "18 NYCRR 394.1(a)"),
               "late_fee.formula": v("NY_MUNI_GAS", "16 NYCRR 272.3"),
               "late_fee.min_balance": v(D("0.00"), "16 NYCRR 272.3"),
               "late_fee.once_per_bill": v(True, "16 NYCRR 272.3 (one-time)"),
           }),
    Preset("PA_CH14", "Pennsylvania Chapter 14",
           "10 days' notice valid 60 days; contact 3 days before; Dec–Mar posting 48 h; winter block "
           "≤ 250% FPL; arrangement term by income tier; medical 30 days with a renewal cap.", {
               "applicability.residential_only": v(True, "66 Pa.C.S. 1403"),
               "notices.pre_disconnect_lead": v({"value": 10, "unit": CALENDAR}, "66 Pa.C.S. 1406(b)(1)"),
               "notices.validity_days": v(60, "52 Pa. Code 56.333; 66 Pa.C.S. 1406(b)"),
               "notices.winter_posting_hours": v(48, "52 Pa. Code 56.333"),
               "notices.winter_posting_months": v([12, 1, 2, 3], "52 Pa. Code 56.333"),
               "delinquency.min_days_before_disconnect": v(0, "66 Pa.C.S. 1406 (notice timing governs)"),
               "contact.required": v(True, "66 Pa.C.S. 1406(b)(1); 52 Pa. Code 56.333"),
               "contact.lead_hours": v(72, "66 Pa.C.S. 1406(b)(1) (3 days)"),
               "contact.fallback_notice_hours": v(None, "66 Pa.C.S. 1406(b)(1) (an attempt suffices)"),
               "contact.phone_separate_days": v(2, "52 Pa. Code 56.333"),
               "protections.winter_block_fpl_pct": v(250, "66 Pa.C.S. 1406(e)", True),
               "protections.winter_block_start": v("12-01", "66 Pa.C.S. 1406(e)", True),
               "protections.winter_block_end": v("03-31", "66 Pa.C.S. 1406(e)", True),
               "protections.medical.validity_days": v(30, "52 Pa. Code 56.114"),
               "protections.medical.max_renewals_when_not_paying": v(2, "52 Pa. Code 56.114"),
               "arrangements.max_months_by_fpl": v([[150, 60], [250, 36], [300, 12], [None, 6]],
                                                   "66 Pa.C.S. 1405(b)"),
               "arrangements.max_months": v(60, "66 Pa.C.S. 1405(b)"),
               "late_fee.waive_fpl_pct": v(150, "66 Pa.C.S. 1409", True),
               "reconnect.restoration_rule": v("PA_1407", "66 Pa.C.S. 1407(c)(2)"),
           }),
    Preset("TX_PUC_ELECTRIC", "Texas PUC (electric)",
           "10 days' notice, disconnection from the day after the notice's date; extreme-weather "
           "emergencies; pledge blocks the billing period; deposit waivers (history, 65+).", {
               "notices.pre_disconnect_lead": v({"value": 10, "unit": CALENDAR}, "16 TAC 25.29"),
               "notices.after_stated_date": v(True, "16 TAC 25.483(c)"),
               "delinquency.min_days_before_disconnect": v(0, "16 TAC 25.29 (notice timing governs)"),
               "weather.mode": v("TX_EXTREME", "16 TAC 25.483(j)"),
               "weather.cold_threshold_f": v(32, "16 TAC 25.483(j)(1)(A)"),
               "weather.look_ahead_hours": v(24, "16 TAC 25.483(j)(1)(A)"),
               "weather.heat_advisory_lookback_days": v(2, "16 TAC 25.483(j)(1)(B)"),
               "protections.liheap_pledge_blocks": v(True, "16 TAC 7.460(b)(2); 25.483"),
               "protections.pledge_scope": v("BILLING_PERIOD", "16 TAC 7.460(b)(2)"),
               "protections.pledge_requires_remainder_paid": v(True, "16 TAC 25.483"),
               "deposit.history_waiver_months": v(24, "16 TAC 25.24(a)"),
               "deposit.history_waiver_max_late": v(1, "16 TAC 25.24(a)"),
               "deposit.age_65_waiver": v(True, "16 TAC 25.24(a)"),
               "deposit.formula": v("ANNUAL_FRACTION", "16 TAC 25.24 (1/6)", True),
               "deposit.annual_fraction": v(D("0.1667"), "16 TAC 25.24 (1/6)", True),
               "deposit.interest_rate": v(D("0.0"), "Tex. Util. Code 183.003 (PUCT sets yearly)", True),
           }),
    Preset("TX_PUC_WATER", "Texas PUC (water/sewer)",
           "Due ≥ 16 days after issuance (weekend due date rolls), 5 p.m. cutoff; one-time late fee $5 (or 10%); "
           "10 days' notice.", {
               "delinquency.bill_pay_days": v(16, "16 TAC 24.165(b)"),
               "delinquency.due_date_rolls_to_business_day": v(True, "16 TAC 24.165(b)"),
               "delinquency.payment_cutoff_time": v("17:00", "16 TAC 24.165(b)"),
               "delinquency.min_days_before_disconnect": v(0, "16 TAC 24.167 (notice timing governs)"),
               "late_fee.formula": v("FLAT", "16 TAC 24.165(c) ($5; 10% alternative)"),
               "late_fee.flat": v(D("5.00"), "16 TAC 24.165(c)"),
               "late_fee.pct": v(D("0.10"), "16 TAC 24.165(c)"),
               "late_fee.min_balance": v(D("0.00"), "16 TAC 24.165(c)"),
               "late_fee.once_per_bill": v(True, "16 TAC 24.165(c)"),
               "notices.pre_disconnect_lead": v({"value": 10, "unit": CALENDAR}, "16 TAC 24.167(a)(1)(C)"),
           }),
    Preset("FED_BANKRUPTCY", "Federal bankruptcy (11 U.S.C. 366)",
           "Always layered on: 20 days after the order for relief (ch. 11: 30-day period from the "
           "petition) for adequate assurance; weekend/holiday deadlines roll (FRBP 9006(a)).", {
               "bankruptcy.assurance_days": v(20, "11 U.S.C. 366(b)"),
               "bankruptcy.chapter11_days": v(30, "11 U.S.C. 366(c)(2)"),
               "bankruptcy.roll_weekend_holiday": v(True, "Fed. R. Bankr. P. 9006(a)", True),
           }),
]  # fmt: skip

PRESETS: MappingProxyType[str, Preset] = MappingProxyType({p.name: p for p in _PRESETS})
