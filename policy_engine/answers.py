"""What the rule checks work out, as values and not only in a reason: the medical certificate,
the assistance pledge, the payment arrangement (status and terms) and the bankruptcy case. The
evaluate API and the what-if show them; each answer calls the rule check itself (or the helper
the check is built on), so an answer and a decision on the same facts cannot disagree.

With several rule sets the answer follows the most protective one, as the decision does: the
longest protection, the longest term."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .amounts_plans import arrangement_limits, split_installments
from .amounts_recovery import bankruptcy_deadline
from .calendar import add_months
from .context import Ctx
from .core import fmt_date, fmt_money, to_money
from .decision import Outcome, RuleCheck
from .engine import contexts
from .facts import ZERO, AccountFacts
from .policy import Policy
from .rules_protect import (
    arrangement_check,
    bankruptcy_check,
    certificate_in_force,
    medical_check,
    pledge_check,
    pledge_holds,
    renewals_left,
)

B = Outcome.BLOCKED
ONE = timedelta(days=1)


def _most_protective(pairs: list[tuple[Ctx, RuleCheck]]) -> tuple[Ctx, RuleCheck]:
    """A blocking check over a non-blocking one; among blocks, the latest (None = indefinite)."""
    return max(
        pairs,
        key=lambda p: (p[1].outcome == B, p[1].outcome == B and p[1].until is None, p[1].until or date.min),
    )


@dataclass(frozen=True)
class MedicalStatus:
    protected: bool  # the certificate (or life support) holds disconnection today
    received_on: date | None  # the certificate in force
    protected_through: date | None  # last protected day; None when not protected or indefinite
    renewal: int | None  # 0 = first certificate for these arrears
    renewals_left: int | None  # renewals that still protect a customer not paying; None = no cap
    check: RuleCheck


def medical_status(policy: Policy, facts: AccountFacts, as_of: date) -> MedicalStatus:
    ctx, check = _most_protective([(c, medical_check(c)) for c in contexts(policy, facts, as_of)])
    cert, _end = certificate_in_force(ctx)
    protected = check.outcome == B
    return MedicalStatus(
        protected=protected,
        received_on=cert.received_on if cert else None,
        protected_through=check.until - ONE if protected and check.until else None,
        renewal=cert.renewal if cert else None,
        renewals_left=renewals_left(ctx, cert),
        check=check,
    )


@dataclass(frozen=True)
class PledgeStatus:
    protected: bool
    pledge_amount: Decimal | None  # still expected from the agency (the pledge considered)
    uncovered_amount: Decimal | None  # past due the pledge does not cover (never negative)
    protected_through: date | None  # last day it holds disconnection
    check: RuleCheck


def pledge_status(policy: Policy, facts: AccountFacts, as_of: date) -> PledgeStatus:
    pairs = [(c, pledge_check(c)) for c in contexts(policy, facts, as_of)]
    ctx, check = _most_protective(pairs)
    holds = pledge_holds(ctx)
    protected = check.outcome == B
    hold = next((h for h in holds if not h.lapsed), None) if protected else (holds[0] if holds else None)
    return PledgeStatus(
        protected=protected,
        pledge_amount=to_money(hold.remaining) if hold else None,
        uncovered_amount=to_money(max(hold.uncovered, ZERO)) if hold else None,
        protected_through=hold.end if hold and protected else None,
        check=check,
    )


@dataclass(frozen=True)
class ArrangementStatus:
    state: str  # none | kept (in good standing) | broken (out of compliance)
    out_of_compliance_since: date | None
    days_out_of_compliance: int | None
    check: RuleCheck


def arrangement_status(policy: Policy, facts: AccountFacts, as_of: date) -> ArrangementStatus:
    results = []
    for ctx in contexts(policy, facts, as_of):
        check = arrangement_check(ctx)  # sets ctx.plan_default_on when the plan is not kept
        results.append((ctx, check))
    ctx, check = _most_protective(results)
    if check.outcome == Outcome.NOT_APPLICABLE:
        return ArrangementStatus("none", None, None, check)
    since = ctx.plan_default_on
    if since is None:
        return ArrangementStatus("kept", None, None, check)
    return ArrangementStatus("broken", since, (as_of - since).days, check)


@dataclass(frozen=True)
class Installment:
    number: int
    due_on: date
    arrears_part: Decimal  # this month's part of the arrears
    current_charges: Decimal  # the month's current bill, paid on top (estimated: the average bill)
    amount: Decimal  # arrears_part + current_charges


@dataclass(frozen=True)
class ArrangementTerms:
    arrears: Decimal
    months: int
    down_payment: Decimal
    current_charges: Decimal
    schedule: tuple[Installment, ...]
    reason: str
    citation: str


def arrangement_terms(
    policy: Policy, facts: AccountFacts, as_of: date, *, arrears: Decimal
) -> ArrangementTerms | None:
    """The plan the policy offers for these arrears (None when none may be offered): the longest
    term it allows (the fixed split where the policy fixes one), the smallest down payment due
    today, then one installment a month from a month after `as_of`, each the arrears part (equal
    parts, the last absorbing the cents, as counseling's schedule does) with the current charges
    (the average monthly bill of the last year) on top."""
    arrears = to_money(arrears)
    limits = arrangement_limits(policy, facts, as_of, arrears=arrears)
    if not limits.eligible or arrears <= ZERO:
        return None
    months = limits.fixed_months or limits.max_months
    down = limits.down_payment_min
    parts = split_installments(arrears - down, months)  # = limits.installments when nothing is down
    current = limits.average_monthly_bill
    rows = tuple(
        Installment(n, add_months(as_of, n), part, current, part + current)
        for n, part in enumerate(parts, start=1)
    )
    term = next((c for c in limits.checks if c.code == "ARRANGEMENT_TERM"), None)
    reason = (
        f"{fmt_money(arrears)} over {len(rows)} months"
        + (f" after a down payment of {fmt_money(down)}" if down else "")
        + f", each with the current charges (about {fmt_money(current)}) on top."
    )
    return ArrangementTerms(arrears, len(rows), down, current, rows, reason, term.citation if term else "")


@dataclass(frozen=True)
class BankruptcyStatus:
    # none | pending (petition after as_of) | pre_petition_only | assurance_window |
    # assurance_received | assurance_missed | dismissed
    status: str
    chapter: int | None
    petition_date: date | None
    assurance_deadline: date | None
    assurance_amount: Decimal | None  # adequate assurance received (a deposit or other security)
    pre_petition_balance: Decimal | None
    post_petition_past_due: Decimal | None
    reason: str
    citation: str


def bankruptcy_status(policy: Policy, facts: AccountFacts, as_of: date) -> BankruptcyStatus:
    bk = facts.bankruptcy
    if bk is None:
        return BankruptcyStatus("none", None, None, None, None, None, None, "No bankruptcy case.", "")
    post = contexts(policy, facts, as_of)[0].dq.past_due
    deadline = bankruptcy_deadline(policy, bk)
    check = bankruptcy_check(policy, facts, as_of, post)
    if check is None:
        status, reason, cite = "pending", f"Petition dated {fmt_date(bk.petition_date)}: after this date.", ""
    else:
        reason, cite = check.reason, check.citation
        if check.code == "BANKRUPTCY_PRE_PETITION":
            status = "pre_petition_only"
        elif check.code == "BANKRUPTCY_ASSURANCE_WINDOW":
            status = "assurance_window"
        elif bk.dismissed_on is not None and bk.dismissed_on <= as_of:
            status = "dismissed"
        elif bk.assurance_received_on is not None:
            status = "assurance_received"
        else:
            status = "assurance_missed"
    return BankruptcyStatus(
        status,
        bk.chapter,
        bk.petition_date,
        deadline.until,
        to_money(bk.assurance_amount),
        to_money(bk.pre_petition_balance),
        to_money(post),
        reason,
        cite or deadline.citation,
    )
