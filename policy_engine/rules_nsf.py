"""Returned payments in the disconnection decision (rules.md §1.7, Lake Havasu 4.16 / A.R.S.
12-671): a payment that restored disconnected service, or stopped a scheduled disconnection,
and came back from the bank may be redeemed in certified funds within 48 hours; only after that
window may service be disconnected for it. `redeem_window` is shared with `amounts.nsf_outcome`
so the counter and the decision name the same date."""

from datetime import date, timedelta

from .context import Ctx, hours_to_days
from .core import fmt_date, fmt_money
from .decision import Outcome, RuleCheck
from .facts import ZERO, AccountFacts, PaymentFact
from .policy import Layer

HOURS_PATH = "nsf.redeem_hours_if_restoring_service"


def returned_day(payment: PaymentFact) -> date:
    return payment.returned_on or payment.paid_on


def kept_service(payment: PaymentFact) -> bool:
    """The payment restored disconnected service or stopped a scheduled disconnection."""
    return payment.restored_service or payment.to_avoid_disconnect


def redeem_window(layer: Layer, payment: PaymentFact, day: date) -> tuple[date, str, str]:
    """(redeem by, how long in words, parameter path). A payment that kept service gets the short
    window (48 hours, on the date scale 2 days: context.hours_to_days); any other 12 days."""
    if kept_service(payment):
        hours = layer.p(HOURS_PATH)
        why = "it restored service" if payment.restored_service else "it stopped a disconnection"
        return day + timedelta(days=hours_to_days(hours)), f"{hours} hours ({why})", HOURS_PATH
    days = layer.p("nsf.redeem_days")
    return day + timedelta(days=days), f"{days} days", "nsf.redeem_days"


def _redeemed(facts: AccountFacts, returned: PaymentFact) -> bool:
    """Good payments since the return cover the returned amount."""
    day = returned_day(returned)
    paid = sum((p.amount for p in facts.payments if not p.returned and p.paid_on >= day), ZERO)
    return paid >= returned.amount


def nsf_check(ctx: Ctx) -> RuleCheck | None:
    """The latest unredeemed returned payment that kept service: DEFERRED until its redemption
    window ends, then SATISFIED (reported, so staff see why the service is going off again)."""
    found = [p for p in ctx.facts.payments if p.returned and kept_service(p) and returned_day(p) <= ctx.as_of]
    if not found:
        return None
    returned = max(found, key=returned_day)
    if _redeemed(ctx.facts, returned):
        return None
    day = returned_day(returned)
    until, text, path = redeem_window(ctx.layer, returned, day)
    what = (
        f"The payment of {fmt_money(returned.amount)} made {fmt_date(returned.paid_on)} was returned "
        f"{fmt_date(day)}; it may be redeemed in certified funds within {text}"
    )
    if ctx.as_of < until:
        return ctx.check(
            "NSF_REDEEM_WINDOW",
            Outcome.DEFERRED,
            f"{what}: no disconnection for it before {fmt_date(until)}.",
            path,
            3,
            until,
        )
    return ctx.check(
        "NSF_NOT_REDEEMED",
        Outcome.SATISFIED,
        f"{what}, and was not redeemed by {fmt_date(until)}.",
        path,
        3,
        until,
    )
