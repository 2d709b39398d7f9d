"""One evaluation, JSON-ready: the decision and every amount the policy computes for these facts.
Shared by the what-if page, POST /api/v1/policy/evaluate and the account decision endpoint, so
the three can never disagree."""

from datetime import date
from decimal import Decimal
from typing import Any

from collections_app.api.facts_schema import to_jsonable
from policy_engine import amounts, engine
from policy_engine.facts import AccountFacts
from policy_engine.policy import Policy


def _monthly_bills(facts: AccountFacts, as_of: date) -> list[Decimal]:
    return [b.amount for b in facts.bills if 0 <= (as_of - b.bill_date).days <= 366]


def evaluate(*, policy: Policy, facts: AccountFacts, as_of: date, owner: bool = False) -> dict[str, Any]:
    decision = engine.decide(policy, facts, as_of)
    delinquency = engine.delinquency(policy, facts, as_of)
    plan = engine.notice_plan(policy, facts, as_of)
    arrears = decision.past_due
    computed: dict[str, Any] = {
        "late_fee": amounts.late_fee(policy, facts, as_of),
        "notice_fee": amounts.notice_fee(policy),
        "trip_fee": amounts.trip_fee(policy),
        "reconnect_fee": amounts.reconnect_fee(policy, facts, after_hours=False, on=as_of),
        "reconnect_fee_after_hours": amounts.reconnect_fee(policy, facts, after_hours=True, on=as_of),
        "deposit_required": amounts.deposit_required(
            policy, facts, as_of=as_of, monthly_bills=_monthly_bills(facts, as_of), owner=owner
        ),
        "arrangement_limits": amounts.arrangement_limits(policy, facts, as_of, arrears=arrears),
        "write_off": amounts.write_off_check(policy, facts, as_of),
        "agency_referral": amounts.referral_due(policy, facts, as_of),
    }
    if facts.bankruptcy is not None:
        computed["bankruptcy_deadline"] = amounts.bankruptcy_deadline(policy, facts.bankruptcy)
    for deposit in facts.deposits:
        computed.setdefault("deposit_refunds", []).append(
            amounts.deposit_refund_check(policy, facts, deposit, as_of)
        )
    return {
        "policy": {"name": policy.name, "version": policy.version, "presets": list(policy.preset_names)},
        "as_of": as_of.isoformat(),
        "decision": {**to_jsonable(decision), "eligible": decision.eligible},
        "delinquency": to_jsonable(delinquency),
        "notice_plan": to_jsonable(plan) if plan is not None else None,
        "amounts": to_jsonable(computed),
    }
