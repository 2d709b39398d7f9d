"""Security-deposit decisions (rules.md §1.6) stored as accounts.PolicyDecision, inside the
deposit service's own transaction and under the policy version that decided: the requirement
(charged in installments, or waived by the policy at $0: letter of credit, owner, prohibited) and
the refund (after good payment, by the engine's refund check, or on the final bill)."""

from datetime import date
from decimal import Decimal

from accounts.models import DecisionKind, DecisionOutcome
from accounts.services.decisions import decision_from_amount, decision_record
from collections_app.models import SecurityDeposit
from policy_engine.amounts_credit import RefundCheck
from policy_engine.core import fmt_money
from policy_engine.decision import Amount


def required_decision_record(  # type: ignore[no-untyped-def]
    deposit: SecurityDeposit, amount: Amount, as_of: date, actor, *, version_id: int
) -> None:
    decision_from_amount(
        amount,
        account_id=deposit.account_id,
        kind=DecisionKind.DEPOSIT,
        as_of=as_of,
        policy_version_id=version_id,
        subject=f"deposit:{deposit.pk}",
        actor=actor,
        charged=deposit.required_amount,
    )


def refund_decision_record(  # type: ignore[no-untyped-def]
    deposit: SecurityDeposit, on: date, actor, *, applied: Decimal, version_id: int, check: RefundCheck | None
) -> None:
    held = deposit.refunded_amount
    how = f"{fmt_money(applied)} applied to what is owed, {fmt_money(held - applied)} by check"
    if check is None:
        code, cite = "DEPOSIT_FINAL_BILL", "rules.md §1.6"
        why = f"Service ended: the held deposit of {fmt_money(held)} pays the final bill ({how})."
        checks = [{"code": code, "outcome": "satisfied", "reason": why, "citation": cite}]
    else:
        code, cite = "DEPOSIT_REFUND", check.citation
        why = f"{check.reason} Refunded {fmt_money(held)}: {how}."
        checks = [{"code": code, "outcome": "satisfied", "reason": check.reason, "citation": cite}]
    decision_record(
        account_id=deposit.account_id,
        kind=DecisionKind.DEPOSIT,
        outcome=DecisionOutcome.ALLOWED,
        code=code,
        reason=why,
        citation=cite,
        amount=held,
        checks=checks,
        as_of=on,
        policy_version_id=version_id,
        subject=f"deposit:{deposit.pk}",
        actor=actor,
    )
