"""The stored decision of a returned item (accounts.PolicyDecision, kind NSF): the fee charged or
waived and the certified-funds-only status, under the policy version that decided them, with
every rule the engine checked (rules.md §1.7). One per return, on the account charged the fee;
recorded inside tender_return's transaction, so a return that rolls back leaves none."""

from datetime import date
from typing import TYPE_CHECKING, Any

from accounts.models import DecisionKind
from accounts.services.decisions import decision_record, outcome_for_amount
from policy_engine.decision import Outcome
from policy_engine.policy import Policy

if TYPE_CHECKING:
    from payments.models import ReturnedItem
    from payments.services.returns import NsfTerms


def _cash_only_not_reached(policy: Policy, in_window: int) -> dict[str, Any]:
    """The engine states the cash-only rule only when it applies; the decision shows it either way."""
    layer = policy.layers[0]
    count, months = layer.p("nsf.cash_only_count"), layer.p("nsf.cash_only_window_months")
    return {
        "code": "NSF_CASH_ONLY",
        "outcome": Outcome.NOT_APPLICABLE.value,
        "reason": f"{in_window} returned payment(s) within {months} months (threshold {count}): "
        "checks are still accepted.",
        "citation": layer.cite("nsf.cash_only_count"),
        "preset": layer.preset,
    }


def nsf_decision_record(
    *, item: "ReturnedItem", terms: "NsfTerms", policy: Policy, version_id: int, actor: Any
) -> None:
    outcome = terms.outcome
    assert outcome is not None  # tender_return's terms always carry the engine's answer
    until: date | None = terms.cash_only_until
    reason = outcome.fee.reason
    if until is not None:
        months = policy.param("nsf.cash_only_window_months")
        reason += (
            f" Cash or certified funds only until {until:%b %d, %Y} "
            f"({terms.in_window} returned payments within {months} months)."
        )
    checks: list[Any] = [
        {
            "code": outcome.fee.code,
            "outcome": Outcome.SATISFIED.value,
            "reason": outcome.fee.reason,
            "citation": outcome.fee.citation,
        },
        *outcome.checks,
    ]
    if not any(getattr(c, "code", None) == "NSF_CASH_ONLY" for c in outcome.checks):
        checks.append(_cash_only_not_reached(policy, terms.in_window))
    decision_record(
        account_id=item.fee_account_id,
        kind=DecisionKind.NSF,
        outcome=outcome_for_amount(item.fee),
        code=outcome.fee.code,
        reason=reason,
        citation=outcome.fee.citation,
        amount=item.fee,
        checks=checks,
        subject=f"returned:{item.pk}",
        as_of=item.returned_on,
        policy_version_id=version_id,
        actor=actor,
    )
