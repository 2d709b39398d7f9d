"""The assistance-pledge hold (rules.md §1.4): a pending LIHEAP / agency pledge holds
disconnection until it is expected (plus grace), or, in Texas, through the billing period it
arrived in. `pledge_holds` is what both the rule check and the evaluate API's pledge answer read."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .calendar import add_months
from .context import Ctx
from .core import fmt_date, fmt_money
from .decision import Outcome, RuleCheck
from .facts import ZERO, AccountFacts, PledgeFact

S, B, NA = Outcome.SATISFIED, Outcome.BLOCKED, Outcome.NOT_APPLICABLE
ONE = timedelta(days=1)


def _billing_period_end(f: AccountFacts, day: date) -> date:
    later = sorted(b.bill_date for b in f.bills if b.bill_date > day)
    if later:
        return later[0] - ONE
    earlier = sorted(b.bill_date for b in f.bills if b.bill_date <= day)
    return add_months(earlier[-1], 1) - ONE if earlier else add_months(day, 1) - ONE


@dataclass(frozen=True)
class PledgeHold:
    """What one pending pledge does on the evaluation date: `end` is the last day it holds
    disconnection; `lapsed` says why it no longer does ("" while it holds)."""

    pledge: PledgeFact
    remaining: Decimal  # still to come from the agency
    uncovered: Decimal  # past due the pledge does not cover (negative: it covers more)
    end: date
    lapsed: str = ""
    note: str = ""


def pledge_holds(ctx: Ctx) -> list[PledgeHold]:
    """Every pending, unpaid pledge, latest expected first, with how long it holds."""
    grace = ctx.p("protections.pledge_grace_days") or 0
    pending = [p for p in ctx.facts.pledges if p.status == "pending" and p.paid_amount < p.amount]
    out = []
    for pledge in sorted(pending, key=lambda p: p.expected_by, reverse=True):
        end = pledge.expected_by + timedelta(days=grace)
        period_end = None
        if ctx.p("protections.pledge_scope") == "BILLING_PERIOD":
            # 16 TAC 7.460(b)(2): no disconnection for the billing period the pledge arrived in,
            # whatever it leaves uncovered (the fact's own period, else the bills').
            period_end = pledge.period_end or _billing_period_end(ctx.facts, pledge.pledged_on)
            end = max(end, period_end)
        remaining = pledge.amount - pledge.paid_amount
        uncovered = ctx.dq.past_due - remaining
        note = lapsed = ""
        if ctx.p("protections.pledge_requires_remainder_paid") and uncovered > ZERO:
            if period_end is None or ctx.as_of > period_end:
                # 16 TAC 25.483: the customer did not pay the portion the pledge does not cover.
                lapsed = (
                    f"the pledge of {fmt_money(remaining)} leaves {fmt_money(uncovered)} "
                    "of the past-due balance unpaid by the customer"
                )
            else:
                end = period_end
                note = (
                    f" ({fmt_money(uncovered)} of the past-due balance is not covered: after the billing "
                    "period the customer must have paid it)"
                )
        if not lapsed and ctx.as_of > end:
            lapsed = f"the pledge expected by {fmt_date(pledge.expected_by)} (grace {grace} days) has lapsed"
        out.append(PledgeHold(pledge, remaining, uncovered, end, lapsed, note))
    return out


def pledge_check(ctx: Ctx) -> RuleCheck:
    path = "protections.liheap_pledge_blocks"
    if not ctx.p(path):
        return ctx.check(
            "PLEDGE", NA, "Assistance pledges do not hold disconnection under this rule set.", path, 2
        )
    holds = pledge_holds(ctx)
    for hold in holds:
        if hold.lapsed:
            continue
        pledge = hold.pledge
        return ctx.check(
            "PLEDGE_PENDING",
            B,
            f"An assistance pledge of {fmt_money(hold.remaining)} made "
            f"{fmt_date(pledge.pledged_on)} is expected by {fmt_date(pledge.expected_by)}; it holds "
            f"disconnection through {fmt_date(hold.end)}{hold.note}.",
            path,
            2,
            hold.end + ONE,
        )
    if holds:
        return ctx.check(
            "PLEDGE",
            S,
            "No pledge holds disconnection: " + "; ".join(h.lapsed for h in holds) + ".",
            "protections.pledge_grace_days",
            2,
        )
    return ctx.check("PLEDGE", S, "No assistance pledge is pending.", path, 2)
