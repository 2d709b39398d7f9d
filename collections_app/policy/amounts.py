"""Amounts the policy computes. Minimal first version; full rules follow."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from .core import delinquency_for, to_money
from .decision import Amount, Outcome, RuleCheck
from .facts import ZERO, AccountFacts, BankruptcyFact, DepositFact, PaymentFact
from .policy import Policy


@dataclass(frozen=True)
class RefundCheck:
    eligible: bool
    due_on: date | None
    reason: str
    citation: str


@dataclass(frozen=True)
class ArrangementLimits:
    eligible: bool
    max_months: int
    min_months: int
    down_payment_cap: Decimal | None
    down_payment_min: Decimal
    checks: tuple[RuleCheck, ...] = ()


@dataclass(frozen=True)
class NsfOutcome:
    fee: Amount
    cash_only_until: date | None
    redeem_by: date | None
    immediate_disconnect: bool
    checks: tuple[RuleCheck, ...] = ()


@dataclass(frozen=True)
class WriteOffCheck:
    small_balance: bool
    uncollectible_eligible: bool
    checks: tuple[RuleCheck, ...] = field(default=())


def late_fee_for(policy: Policy, past_due: Decimal, *, bill_amount: Decimal | None = None) -> Amount:
    if past_due < policy.param("late_fee.min_balance"):
        return Amount("LATE_FEE", ZERO, "Below minimum balance.", "")
    fee = max(to_money(past_due * policy.param("late_fee.pct")), policy.param("late_fee.floor"))
    return Amount("LATE_FEE", to_money(fee), "max(pct × past due, floor)", "")


def late_fee(policy: Policy, facts: AccountFacts, as_of: date) -> Amount:
    dq = delinquency_for(policy.layers[0], policy, facts, as_of)
    return late_fee_for(policy, dq.past_due)


def notice_fee(policy: Policy) -> Amount:
    return Amount("NOTICE_FEE", to_money(policy.param("fees.notice")), "Notice fee.", "")


def trip_fee(policy: Policy) -> Amount:
    return Amount("TRIP_FEE", to_money(policy.param("fees.trip")), "Trip fee.", "")


def reconnect_fee(
    policy: Policy, facts: AccountFacts, *, after_hours: bool, on: date, actual_cost=None
) -> Amount:
    key = "reconnect.fee_after_hours" if after_hours else "reconnect.fee_normal"
    return Amount("RECONNECT_FEE", to_money(policy.param(key)), "Reconnection fee.", "")


def deposit_required(
    policy: Policy, facts: AccountFacts, *, as_of: date, monthly_bills: Sequence[Decimal], owner: bool
) -> Amount:
    bills = list(monthly_bills)[-12:]
    avg = sum(bills, ZERO) / len(bills) if bills else ZERO
    return Amount("DEPOSIT", to_money(avg * policy.param("deposit.multiple")), "k × average bill", "")


def deposit_interest(policy: Policy, *, amount: Decimal, start: date, end: date) -> Amount:
    days = max((end - start).days, 0)
    return Amount(
        "DEPOSIT_INTEREST", to_money(amount * policy.param("deposit.interest_rate") * days / 365), "", ""
    )


def deposit_refund_check(
    policy: Policy, facts: AccountFacts, deposit: DepositFact, as_of: date
) -> RefundCheck:
    return RefundCheck(False, None, "Not yet evaluated.", "")


def arrangement_limits(
    policy: Policy, facts: AccountFacts, as_of: date, *, arrears: Decimal
) -> ArrangementLimits:
    return ArrangementLimits(True, policy.param("arrangements.max_months"), 1, None, ZERO)


def nsf_outcome(policy: Policy, facts: AccountFacts, as_of: date, *, returned: PaymentFact) -> NsfOutcome:
    fee = Amount("NSF_FEE", to_money(policy.param("nsf.fee_first")), "", "")
    return NsfOutcome(fee, None, as_of + timedelta(days=policy.param("nsf.redeem_days")), False)


def agency_fee(policy: Policy, *, balance: Decimal, agency_pct: Decimal | None = None) -> Amount:
    pct = agency_pct if agency_pct is not None else policy.param("collections.collection_fee_pct")
    return Amount("AGENCY_FEE", to_money(balance * pct), "", "")


def referral_interest(policy: Policy, *, balance: Decimal, start: date, end: date) -> Amount:
    return Amount("REFERRAL_INTEREST", ZERO, "", "")


def referral_due(policy: Policy, facts: AccountFacts, as_of: date) -> RuleCheck:
    return RuleCheck("REFERRAL_DUE", Outcome.NOT_APPLICABLE, "", "")


def write_off_check(policy: Policy, facts: AccountFacts, as_of: date) -> WriteOffCheck:
    small = abs(facts.balance) <= policy.param("collections.small_balance_write_off") and facts.balance != 0
    return WriteOffCheck(small, False)


def bankruptcy_deadline(policy: Policy, bankruptcy: BankruptcyFact) -> RuleCheck:
    start = bankruptcy.order_for_relief_date or bankruptcy.petition_date
    deadline = policy.calendar.next_business_day(start + timedelta(days=20))
    return RuleCheck("BANKRUPTCY_ASSURANCE_DEADLINE", Outcome.BLOCKED, "", "11 U.S.C. 366(b)", 2, deadline)
