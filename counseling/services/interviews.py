"""The hardship interview: income annualized, % of the poverty guideline, low-income status and
arrangement terms recommended from what the household can actually pay."""

import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Account, Bill
from accounts.services.ledger import accounts_lock
from common.audit import audit_record
from common.exceptions import DomainError
from common.money import to_money
from counseling.models import (
    BenefitProgram,
    HardshipInterview,
    HouseholdMember,
    IncomeSource,
    PovertyGuideline,
)
from counseling.models.interviews import PERIODS_PER_YEAR
from counseling.services.arrangement_terms import arrangement_limits_for
from policy.selectors import current_policy
from policy_engine.core import policy_low_income

EXPENSE_FIELDS = (
    "housing",
    "utilities_other",
    "food",
    "medical",
    "transportation",
    "childcare",
    "debt_payments",
    "other_expenses",
)


@dataclass(frozen=True)
class IncomeIn:
    kind: str
    amount: Decimal
    frequency: str
    earner: str = ""


@dataclass(frozen=True)
class MemberIn:
    first_name: str
    relationship: str = ""
    age: int | None = None
    disabled: bool = False


@dataclass
class Recommendation:
    down_payment: Decimal
    installments: int
    monthly: Decimal
    note: str
    capacity: Decimal = field(default=Decimal(0))


def annualize(amount: Decimal, frequency: str) -> Decimal:
    if frequency not in PERIODS_PER_YEAR:
        raise DomainError("income.frequency", f"Unknown income frequency {frequency}.")
    return to_money(Decimal(amount) * PERIODS_PER_YEAR[frequency])


def guideline_for(*, year: int, region: str) -> PovertyGuideline:
    guideline = PovertyGuideline.objects.filter(region=region, year__lte=year).order_by("-year").first()
    if guideline is None:
        raise DomainError(
            "guideline.missing",
            f"No poverty guideline for {year} ({region}): an administrator "
            "must enter this year's HHS figures.",
        )
    return guideline


def fpl_percent(*, annual_income: Decimal, household_size: int, guideline: PovertyGuideline) -> Decimal:
    line = guideline.for_household(household_size)
    return (Decimal(annual_income) * 100 / line).quantize(Decimal("0.1"))


def average_monthly_bill(account_id: int) -> Decimal:
    """Average of the last six bills: what the household must keep paying while on a plan."""
    recent = list(
        Bill.objects.filter(account_id=account_id).order_by("-bill_date").values_list("total", flat=True)[:6]
    )
    return to_money(sum(recent, Decimal(0)) / len(recent)) if recent else Decimal("0.00")


def recommend(
    *,
    balance: Decimal,
    monthly_surplus: Decimal,
    average_bill: Decimal,
    low_income: bool,
    max_months: int,
    fixed_months: int | None = None,
) -> Recommendation:
    """Terms the household can keep: current bills come first, what is left pays down the balance.

    The down payment is one month of that capacity (none for a low-income household), and the
    term is the shortest that fits the capacity, within the policy's maximum. A policy that
    splits the balance over fixed months (Phoenix: 3) leaves nothing to choose."""
    if balance <= 0:
        return Recommendation(Decimal(0), 0, Decimal(0), "No balance to arrange.")
    capacity = to_money(max(monthly_surplus - average_bill, Decimal(0)))
    if fixed_months is not None:
        note = f"Policy: the whole balance is split over {fixed_months} monthly installments."
        return Recommendation(Decimal(0), fixed_months, to_money(balance / fixed_months), note, capacity)
    down = Decimal(0) if low_income else to_money(min(capacity, balance * Decimal("0.25")))
    remaining = balance - down
    if capacity <= 0:
        months = max_months
        note = (
            f"After expenses and the average bill (${average_bill:,.2f}) nothing is left each month: "
            f"offer the longest term ({max_months} months) and refer to assistance agencies."
        )
    else:
        months = min(max(math.ceil(remaining / capacity), 1), max_months)
        note = f"Household can put about ${capacity:,.2f} a month toward the balance after current bills."
        if math.ceil(remaining / capacity) > max_months:
            note += f" Even {max_months} months exceeds that: refer to assistance agencies as well."
    monthly = to_money(remaining / months) if months else Decimal(0)
    return Recommendation(down, months, monthly, note, capacity)


@transaction.atomic(durable=True)
def interview_record(
    *,
    account_id: int,
    counselor,
    household_size: int,
    region: str,
    hardship_reason: str,  # type: ignore[no-untyped-def]
    hardship_note: str,
    benefits: list[str],
    documents_seen: str,
    incomes: list[IncomeIn],
    members: list[MemberIn],
    expenses: dict[str, Decimal],
    year: int,
    documented_hardship: bool = False,
    hardship_evidence: str = "",
) -> HardshipInterview:
    account: Account = accounts_lock([account_id])[account_id]
    if documented_hardship and not hardship_evidence.strip():
        raise DomainError("interview.hardship_evidence", "Say what documents the undue hardship.")
    if household_size < 1 or household_size > 30:
        raise DomainError("interview.household", "Household size must be between 1 and 30.")
    if len(members) > household_size:
        raise DomainError("interview.members", "More members are listed than the household size.")
    unknown = set(benefits) - set(BenefitProgram.values)
    if unknown:
        raise DomainError("interview.benefits", f"Unknown benefit program {sorted(unknown)[0]}.")
    if any(Decimal(v) < 0 for v in expenses.values()) or any(i.amount < 0 for i in incomes):
        raise DomainError("interview.negative", "Income and expense amounts cannot be negative.")
    guideline = guideline_for(year=year, region=region)
    annual = sum((annualize(i.amount, i.frequency) for i in incomes), Decimal(0))
    percent = fpl_percent(annual_income=annual, household_size=household_size, guideline=guideline)
    policy, _ = current_policy()
    # the engine's test: below the policy's % of the poverty line, or on a program the policy in
    # force says deems a household low income (`low_income.programs`; SB 998: HSC 116914(b))
    low_income = policy_low_income(policy, poverty_pct=percent, programs=benefits)
    # the term the policy in force allows for this household (PA: by income tier; Phoenix: 3)
    limits = arrangement_limits_for(
        account_id=account_id,
        today=timezone.localdate(),
        arrears=account.balance,
        poverty_pct=percent,
        hardship=documented_hardship,
    )
    monthly_expenses = sum((to_money(expenses.get(f, 0)) for f in EXPENSE_FIELDS), Decimal(0))
    surplus = to_money(annual / 12 - monthly_expenses)
    rec = recommend(
        balance=account.balance,
        monthly_surplus=surplus,
        average_bill=average_monthly_bill(account_id),
        low_income=low_income,
        max_months=limits.max_months,
        fixed_months=limits.fixed_months,
    )
    interview = HardshipInterview.objects.create(
        account=account,
        counselor=counselor,
        household_size=household_size,
        region=region,
        hardship_reason=hardship_reason,
        hardship_note=hardship_note.strip(),
        benefits=sorted(set(benefits)),
        documents_seen=documents_seen.strip(),
        documented_hardship=documented_hardship,
        hardship_evidence=hardship_evidence.strip() if documented_hardship else "",
        guideline=guideline,
        annual_income=annual,
        poverty_line=guideline.for_household(household_size),
        fpl_percent=percent,
        low_income=low_income,
        monthly_surplus=surplus,
        recommended_down_payment=rec.down_payment,
        recommended_installments=rec.installments or None,
        recommended_monthly=rec.monthly or None,
        recommendation_note=rec.note,
        balance_at_interview=account.balance,
        **{f: to_money(expenses.get(f, 0)) for f in EXPENSE_FIELDS},
    )
    IncomeSource.objects.bulk_create(
        [
            IncomeSource(
                interview=interview,
                kind=i.kind,
                earner=i.earner.strip(),
                amount=to_money(i.amount),
                frequency=i.frequency,
                annual=annualize(i.amount, i.frequency),
            )
            for i in incomes
        ]
    )
    HouseholdMember.objects.bulk_create(
        [
            HouseholdMember(
                interview=interview,
                first_name=m.first_name.strip(),
                relationship=m.relationship.strip(),
                age=m.age,
                disabled=m.disabled,
            )
            for m in members
            if m.first_name.strip()
        ]
    )
    # Income figures are sensitive: the trail records that an interview happened and its outcome.
    audit_record(
        actor=counselor,
        verb="interview.record",
        target=interview,
        account_id=account_id,
        data={"fpl_percent": str(percent), "low_income": low_income, "hardship": documented_hardship},
    )
    return interview
