"""Reads about reconnection: whether a disconnected account qualifies to have its service back
(the payment hook, the sweep and the counter's preview ask the same question), and the facts as
they would stand after a payment."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

from policy_engine import engine
from policy_engine.decision import Status
from policy_engine.facts import AccountFacts, PaymentFact
from policy_engine.policy import Policy

# Protections that, once the service is off, entitle the household to have it back.
RECONNECT_PROTECTIONS = {
    "MEDICAL_CERTIFICATE",
    "PLEDGE_PENDING",
    "ARRANGEMENT_GOOD_STANDING",
    "MIN_ARREARS",
    "BANKRUPTCY_PRE_PETITION",
    "BANKRUPTCY_ASSURANCE_WINDOW",
}


def reconnect_reason(policy: Policy, facts: AccountFacts, as_of: date) -> str | None:
    """Why a disconnected account may have its service back, or None. Paid (nothing past due, or
    less than the policy's minimum for a disconnection), an active arrangement, or a protection
    the engine would now hold a disconnection for (medical certificate, pledge, bankruptcy)."""
    if any(a.status == "active" for a in facts.arrangements):
        return "A payment arrangement is active."
    dq = engine.delinquency(policy, facts, as_of)
    minimum = policy.param("protections.min_arrears_for_disconnect")
    if facts.balance <= 0 or dq.past_due <= 0:
        return "Nothing is past due."
    if dq.past_due < minimum:
        return (
            f"The past-due balance ${dq.past_due:,.2f} is below the ${minimum:,.2f} minimum for a "
            "disconnection."
        )
    decision = engine.decide(policy, replace(facts, service_state="connected"), as_of)
    deciding = decision.deciding
    if decision.status == Status.NOT_DELINQUENT:
        return "Nothing is past due."
    if decision.status == Status.BLOCKED and deciding and deciding.code in RECONNECT_PROTECTIONS:
        return deciding.reason
    return None


def facts_after_payment(facts: AccountFacts, amount: Decimal, on: date) -> AccountFacts:
    """The facts once `amount` is paid on `on`: the balance goes down and the oldest bills are
    settled first, as the ledger's distribution does. Nothing is written."""
    bills, left = [], amount
    for bill in sorted(facts.bills, key=lambda b: b.due_date):
        take = min(left, bill.unpaid)
        left -= take
        bills.append(replace(bill, paid_amount=bill.paid_amount + take))
    return replace(
        facts,
        balance=facts.balance - amount,
        bills=tuple(bills),
        payments=(*facts.payments, PaymentFact(paid_on=on, amount=amount)),
    )
