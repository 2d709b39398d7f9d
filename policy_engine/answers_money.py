"""Money answers the evaluate API and the what-if give beside the fees: the returned payment (NSF),
how a payment is accepted, the reconnection caps, deposits held, the collections payoff, the
low-income waiver, recertification and discount, the notice's validity. Each is built on the
function the rule or the fee itself uses (see answers.py for the protections)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from . import amounts
from .calendar import add_months
from .core import NoticePlan, fmt_date, is_low_income, to_money
from .decision import Amount
from .engine import contexts
from .facts import ZERO, AccountFacts, DepositFact, NoticeFact, PaymentFact
from .policy import Policy
from .rules_nsf import returned_day
from .rules_protect import applicable_layers
from .rules_timing import valid_through


def latest_returned(facts: AccountFacts, as_of: date) -> PaymentFact | None:
    """The payment returned most recently on or before `as_of` (the one the counter acts on)."""
    found = [p for p in facts.payments if p.returned and returned_day(p) <= as_of]
    return max(found, key=returned_day, default=None)


def nsf_answer(
    policy: Policy, facts: AccountFacts, as_of: date
) -> tuple[PaymentFact, amounts.NsfOutcome] | None:
    returned = latest_returned(facts, as_of)
    if returned is None:
        return None
    return returned, amounts.nsf_outcome(policy, facts, as_of, returned=returned)


@dataclass(frozen=True)
class PaymentAcceptance:
    certified_funds_only: bool  # no personal checks (returned payments, or a plan that takes none)
    certified_funds_only_until: date | None
    held_until_paid: bool  # service stays off until `pay_before_restoration` is paid
    pay_before_restoration: Decimal | None
    full_balance_required: bool  # only the whole balance is accepted to settle (no plan)
    reasons: tuple[str, ...]


def payment_acceptance(policy: Policy, facts: AccountFacts, as_of: date) -> PaymentAcceptance:
    reasons = []
    until = None
    nsf = nsf_answer(policy, facts, as_of)
    cash_until = nsf[1].cash_only_until if nsf is not None else None
    if cash_until is not None and as_of <= cash_until:  # inclusive, as the counter enforces it
        until = cash_until
        reasons.append(f"Returned payments: cash or certified funds only until {fmt_date(until)}.")
    limits = amounts.arrangement_limits(policy, facts, as_of, arrears=max(facts.balance, ZERO))
    on_plan = any(a.status == "active" for a in facts.arrangements)
    no_checks = on_plan and not limits.checks_accepted
    if no_checks:
        reasons.append("Checks are not accepted for arrangement payments.")
    held, pay = False, None
    if facts.service_state in ("disconnected", "low_flow"):
        terms = amounts.restoration_terms(policy, facts, as_of, balance=max(facts.balance, ZERO))
        held, pay = terms.pay_now > ZERO, terms.pay_now
        reasons.append(f"Service is {facts.service_state.replace('_', '-')}: {terms.reason}")
    full = False
    ctxs = contexts(policy, facts, as_of)
    broken = any(a.status == "broken" for a in facts.arrangements)
    if broken and all(c.p("arrangements.default_disconnect_next_day") for c in ctxs):
        full = True
        reasons.append("The arrangement was broken: the full balance is required.")
    if nsf is not None and on_plan and nsf[1].voids_arrangement:
        full = True
        reasons.append("A returned payment voids the arrangement: the full balance is due.")
    if held and pay is not None and pay >= to_money(max(facts.balance, ZERO)) > ZERO:
        full = True
    return PaymentAcceptance(until is not None or no_checks, until, held, pay, full, tuple(reasons))


@dataclass(frozen=True)
class Reconnection:
    normal: Amount
    after_hours: Amount
    actual_cost: Decimal | None
    low_income_cap_normal: Decimal | None  # None: no cap applies to this household
    low_income_cap_after_hours: Decimal | None


def reconnection(
    policy: Policy, facts: AccountFacts, on: date, *, actual_cost: Decimal | None
) -> Reconnection:
    layers, _ = applicable_layers(policy, facts, on)

    def cap(after_hours: bool) -> Decimal | None:
        caps = [amounts.reconnect_cap(lay, facts, after_hours, on, actual_cost) for lay in layers]
        found = [c for c in caps if c is not None]
        return min(found) if found else None

    return Reconnection(
        amounts.reconnect_fee(policy, facts, after_hours=False, on=on, actual_cost=actual_cost),
        amounts.reconnect_fee(policy, facts, after_hours=True, on=on, actual_cost=actual_cost),
        to_money(actual_cost) if actual_cost is not None else None,
        cap(False),
        cap(True),
    )


@dataclass(frozen=True)
class DepositHeld:
    deposit: DepositFact
    interest: Amount  # accrued since last credited (or since held)
    refund: amounts.RefundCheck
    refund_amount: Decimal  # the deposit with the interest accrued


def deposits_held(policy: Policy, facts: AccountFacts, as_of: date) -> list[DepositHeld]:
    out = []
    for deposit in facts.deposits:
        start = deposit.interest_credited_through or deposit.held_since
        interest = amounts.deposit_interest(policy, amount=deposit.amount, start=start, end=as_of)
        refund = amounts.deposit_refund_check(policy, facts, deposit, as_of)
        out.append(DepositHeld(deposit, interest, refund, to_money(deposit.amount + interest.amount)))
    return out


def history_bills(facts: AccountFacts, as_of: date) -> list[Decimal]:
    """The account's monthly bills of the last year, oldest first (what a deposit averages)."""
    return [
        b.amount
        for b in sorted(facts.bills, key=lambda b: b.bill_date)
        if 0 <= (as_of - b.bill_date).days <= 366
    ]


def deposit_for(
    policy: Policy,
    facts: AccountFacts,
    as_of: date,
    *,
    owner: bool,
    estimated_bills: Sequence[Decimal] | None,
) -> tuple[Amount, str, list[Decimal]]:
    """(deposit, basis, bills used): a new applicant's estimated bills when given, else history."""
    bills = [to_money(b) for b in estimated_bills] if estimated_bills else history_bills(facts, as_of)
    basis = "estimated_bills" if estimated_bills else "history"
    amount = amounts.deposit_required(policy, facts, as_of=as_of, monthly_bills=bills, owner=owner)
    return amount, basis, bills


@dataclass(frozen=True)
class Payoff:
    referred_on: date | None
    principal: Decimal
    fee: Amount | None  # the agency's collection fee (None: not referred)
    interest: Amount | None  # interest since referral
    total: Decimal


def collections_payoff(policy: Policy, facts: AccountFacts, as_of: date) -> Payoff:
    """What settles the account today: the balance, plus once referred the collection fee and
    the interest per whole month since referral (rules.md §1.9, on the balance as referred)."""
    principal = to_money(max(facts.balance, ZERO))
    if facts.referred_on is None or facts.referred_on > as_of:
        return Payoff(None, principal, None, None, principal)
    fee = amounts.agency_fee(policy, balance=principal)
    interest = amounts.referral_interest(policy, balance=principal, start=facts.referred_on, end=as_of)
    return Payoff(facts.referred_on, principal, fee, interest, principal + fee.amount + interest.amount)


@dataclass(frozen=True)
class InterestWaiver:
    available: bool  # the low-income late-charge waiver applies today
    period_months: int | None  # once per this many months; None: no such waiver
    last_used_on: date | None
    next_available_on: date | None
    reason: str
    citation: str


def interest_waiver(policy: Policy, facts: AccountFacts, as_of: date) -> InterestWaiver:
    layers, _ = applicable_layers(policy, facts, as_of)
    path = "late_fee.low_income_interest_waiver_months"
    layer = next((lay for lay in layers if lay.p(path) is not None), layers[0])
    months, last = layer.p(path), facts.last_late_fee_waiver_on
    available = amounts.interest_waiver_available(layer, facts, as_of)
    following = amounts.interest_waiver_next(layer, facts)
    if months is None:
        reason = "No low-income late-charge waiver under this policy."
    elif not is_low_income(layer, facts):
        reason = f"The waiver (once every {months} months) is for low-income households."
    elif available:
        reason = f"Low-income household: the late charge is waived (once every {months} months)."
    else:
        reason = f"Waived {fmt_date(last)}; available again from {fmt_date(following)}."
    return InterestWaiver(available, months, last, following, reason, layer.cite(path) if months else "")


@dataclass(frozen=True)
class Recertification:
    low_income: bool
    period_months: int
    certified_on: date | None
    due_on: date | None
    reminder_on: date | None
    overdue: bool
    discount_applies: bool  # low-income and certification not lapsed
    reason: str
    citation: str


def recertification(
    policy: Policy, facts: AccountFacts, as_of: date, *, certified_on: date | None
) -> Recertification:
    layer = applicable_layers(policy, facts, as_of)[0][0]
    months, remind = layer.p("low_income.recert_months"), layer.p("low_income.recert_reminder_days")
    low = is_low_income(layer, facts)
    due = add_months(certified_on, months) if certified_on else None
    reminder = due - timedelta(days=remind) if due else None
    overdue = due is not None and as_of >= due
    discount = low and not overdue
    if not low:
        reason = "Not low-income on these facts: no low-income discount."
    elif due is None:
        reason = f"Low-income: the discount applies; recertify every {months} months."
    elif overdue:
        reason = (
            f"Recertification was due {fmt_date(due)}: the discount lapses until the household recertifies."
        )
    else:
        reason = (
            f"Low-income, certified {fmt_date(certified_on)}: discount applies; recertify by {fmt_date(due)}."
        )
    return Recertification(
        low,
        months,
        certified_on,
        due,
        reminder,
        overdue,
        discount,
        reason,
        layer.cite("low_income.recert_months"),
    )


def notice_valid_through(
    policy: Policy, facts: AccountFacts, as_of: date, plan: NoticePlan | None
) -> date | None:
    """The last day a notice sent as planned may be acted on (PA: 60 days); None: no expiry."""
    if plan is None:
        return None
    ends = [
        valid_through(NoticeFact(plan.kind, plan.send_on), c.p("notices.validity_days"))
        for c in contexts(policy, facts, as_of)
        if c.p("notices.validity_days") is not None
    ]
    return min(ends) if ends else None
