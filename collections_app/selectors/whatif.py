"""One evaluation, JSON-ready: the decision and every answer the policy computes for these facts.
Shared by the what-if page, POST /api/v1/policy/evaluate and the account decision endpoint, so
the three can never disagree. Every key is always present (null or [] where it does not apply);
collections_app/api/evaluation_out.py types each one for OpenAPI."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from collections_app.api.facts_schema import to_jsonable
from policy_engine import amounts, answers, answers_money, engine
from policy_engine.decision import RuleCheck
from policy_engine.facts import AccountFacts
from policy_engine.policy import Policy


def _check(c: RuleCheck) -> dict[str, Any]:
    return to_jsonable(c)


def _deposit(policy: Policy, facts: AccountFacts, as_of: date, owner: bool, estimated) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    required, basis, bills = answers_money.deposit_for(
        policy, facts, as_of, owner=owner, estimated_bills=estimated
    )
    held = [
        {
            "amount": h.deposit.amount,
            "held_since": h.deposit.held_since,
            "interest": h.interest,
            "refund_eligible": h.refund.eligible,
            "refund_due_on": h.refund.due_on,
            "refund_amount": h.refund_amount,
            "reason": h.refund.reason,
            "citation": h.refund.citation,
        }
        for h in answers_money.deposits_held(policy, facts, as_of)
    ]
    return {"required": required, "basis": basis, "monthly_bills": bills, "held": held}


def _nsf(policy: Policy, facts: AccountFacts, as_of: date) -> dict[str, Any] | None:
    found = answers_money.nsf_answer(policy, facts, as_of)
    if found is None:
        return None
    payment, out = found
    return {
        "paid_on": payment.paid_on,
        "amount": payment.amount,
        "returned_on": payment.returned_on or payment.paid_on,
        "fee": out.fee,
        "redeem_by": out.redeem_by,
        "cash_only_until": out.cash_only_until,
        "immediate_disconnect": out.immediate_disconnect,
        "voids_arrangement": out.voids_arrangement,
        "checks": [_check(c) for c in out.checks],
    }


def _bankruptcy(policy: Policy, facts: AccountFacts, as_of: date) -> dict[str, Any]:
    bk = answers.bankruptcy_status(policy, facts, as_of)
    return {
        "status": bk.status,
        "chapter": bk.chapter,
        "petition_date": bk.petition_date,
        "assurance_deadline": bk.assurance_deadline,
        "assurance_amount": bk.assurance_amount,
        "pre_petition_balance": bk.pre_petition_balance,
        "post_petition_past_due": bk.post_petition_past_due,
        "reason": bk.reason,
        "citation": bk.citation,
    }


def _arrangement(policy: Policy, facts: AccountFacts, as_of: date, arrears: Decimal) -> dict[str, Any]:
    status = answers.arrangement_status(policy, facts, as_of)
    terms = answers.arrangement_terms(policy, facts, as_of, arrears=arrears)
    return {
        "options": amounts.arrangement_limits(policy, facts, as_of, arrears=arrears),
        "terms": terms,
        "status": {
            "state": status.state,
            "out_of_compliance_since": status.out_of_compliance_since,
            "days_out_of_compliance": status.days_out_of_compliance,
            "check": status.check,
        },
    }


def evaluate(
    *,
    policy: Policy,
    facts: AccountFacts,
    as_of: date,
    owner: bool = False,
    reconnect_actual_cost: Decimal | None = None,
    estimated_monthly_bills: Sequence[Decimal] | None = None,
    low_income_certified_on: date | None = None,
) -> dict[str, Any]:
    decision = engine.decide(policy, facts, as_of)
    plan = engine.notice_plan(policy, facts, as_of)
    arrears = decision.past_due
    delinquency = engine.delinquency(policy, facts, as_of)
    medical = answers.medical_status(policy, facts, as_of)
    pledge = answers.pledge_status(policy, facts, as_of)
    recon = answers_money.reconnection(policy, facts, as_of, actual_cost=reconnect_actual_cost)
    accept = answers_money.payment_acceptance(policy, facts, as_of)
    payoff = answers_money.collections_payoff(policy, facts, as_of)
    recert = answers_money.recertification(policy, facts, as_of, certified_on=low_income_certified_on)
    result = {
        "policy": {"name": policy.name, "version": policy.version, "presets": list(policy.preset_names)},
        "as_of": as_of,
        "decision": {**to_jsonable(decision), "eligible": decision.eligible},
        "delinquency": {k: v for k, v in to_jsonable(delinquency).items() if k != "oldest_bill"},
        "notice_plan": (
            {
                **to_jsonable(plan),
                "valid_through": answers_money.notice_valid_through(policy, facts, as_of, plan),
            }
            if plan is not None
            else None
        ),
        "late_fee": amounts.late_fee(policy, facts, as_of),
        "notice_fee": amounts.notice_fee(policy),
        "trip_fee": amounts.trip_fee(policy),
        "interest_waiver": answers_money.interest_waiver(policy, facts, as_of),
        "reconnection": recon,
        "deposit": _deposit(policy, facts, as_of, owner, estimated_monthly_bills),
        "arrangement": _arrangement(policy, facts, as_of, arrears),
        "medical_certificate": {
            "protected": medical.protected,
            "received_on": medical.received_on,
            "protected_through": medical.protected_through,
            "renewal": medical.renewal,
            "renewals_left": medical.renewals_left,
            "check": medical.check,
        },
        "pledge": {
            "protected": pledge.protected,
            "pledge_amount": pledge.pledge_amount,
            "uncovered_amount": pledge.uncovered_amount,
            "protected_through": pledge.protected_through,
            "check": pledge.check,
        },
        "nsf": _nsf(policy, facts, as_of),
        "payment_acceptance": accept,
        "bankruptcy": _bankruptcy(policy, facts, as_of),
        "collections": {
            "referral": amounts.referral_due(policy, facts, as_of),
            "payoff": payoff,
        },
        "write_off": amounts.write_off_check(policy, facts, as_of),
        "recertification": recert,
        "discount": {
            "applies": recert.discount_applies,
            "reason": recert.reason,
            "citation": recert.citation,
        },
    }
    return to_jsonable(result)
