"""Disconnection decisions (rules.md §0 pipeline). Minimal first version; full rules follow."""

from dataclasses import dataclass
from datetime import date, timedelta

from .core import Delinquency, delinquency_for, fmt_date
from .decision import Decision, Outcome, RuleCheck, Status
from .facts import AccountFacts
from .policy import Policy


@dataclass(frozen=True)
class NoticePlan:
    kind: str
    send_on: date
    earliest_action: date
    occupant_required: bool
    reason: str
    citation: str


def delinquency(policy: Policy, facts: AccountFacts, as_of: date) -> Delinquency:
    return delinquency_for(policy.layers[0], policy, facts, as_of)


def decide(policy: Policy, facts: AccountFacts, as_of: date) -> Decision:
    layer = policy.layers[0]
    dq = delinquency(policy, facts, as_of)
    if dq.clock_start is None:
        check = RuleCheck("NOT_DELINQUENT", Outcome.NOT_APPLICABLE, "Nothing is past due.", "", 3)
        return Decision(as_of, Status.NOT_DELINQUENT, None, "disconnect", (check,), check)
    threshold = dq.clock_start + timedelta(days=layer.p("delinquency.min_days_before_disconnect"))
    outcome = Outcome.SATISFIED if threshold <= as_of else Outcome.DEFERRED
    check = RuleCheck(
        "DAYS_DELINQUENT",
        outcome,
        f"{dq.days_delinquent} days delinquent; action allowed from {fmt_date(threshold)}.",
        layer.cite("delinquency.min_days_before_disconnect"),
        3,
        threshold,
        layer.preset,
    )
    earliest = policy.calendar.next_business_day(max(threshold, as_of))
    status = Status.ELIGIBLE if earliest == as_of else Status.DEFERRED
    return Decision(
        as_of,
        status,
        earliest,
        "disconnect",
        (check,),
        check,
        policy.name,
        policy.version,
        dq.days_delinquent,
        dq.past_due,
    )


def notice_plan(policy: Policy, facts: AccountFacts, as_of: date) -> NoticePlan | None:
    dq = delinquency(policy, facts, as_of)
    if dq.clock_start is None:
        return None
    return NoticePlan("shutoff", as_of, as_of + timedelta(days=10), facts.landlord_owned, "", "")
