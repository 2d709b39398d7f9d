"""Record a policy decision (see accounts.models.decisions).

Called inside the caller's transaction, after it has applied the decision, so the decision is
stored if and only if what it decided happened (a rolled-back fee leaves no decision behind)."""

from collections.abc import Iterable
from dataclasses import asdict, is_dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from accounts.models import DecisionOutcome, PolicyDecision

_CHECK_KEYS = ("code", "outcome", "reason", "citation", "preset", "until", "step")


def check_rows(checks: Iterable[Any]) -> list[dict[str, Any]]:
    """Engine RuleChecks (or dicts shaped like them) as JSON rows: the same keys a shutoff
    decision stores, so one template shows both."""
    rows = []
    for c in checks:
        d = asdict(c) if is_dataclass(c) and not isinstance(c, type) else dict(c)
        row = {k: d.get(k) for k in _CHECK_KEYS if k in d}
        if isinstance(row.get("until"), date):
            row["until"] = row["until"].isoformat()
        rows.append(row)
    return rows


def outcome_for_amount(amount: Decimal | None) -> str:
    """A fee or deposit the policy computes as zero was waived, not charged."""
    return DecisionOutcome.CHARGED if amount is not None and amount > 0 else DecisionOutcome.WAIVED


def decision_record(
    *,
    account_id: int,
    kind: str,
    outcome: str,
    code: str,
    reason: str,
    as_of: date,
    policy_version_id: int,
    citation: str = "",
    amount: Decimal | None = None,
    checks: Iterable[Any] = (),
    subject: str = "",
    actor: AbstractBaseUser | AnonymousUser | None = None,
) -> PolicyDecision:
    user = actor if actor is not None and actor.is_authenticated else None
    return PolicyDecision.objects.create(
        account_id=account_id,
        kind=kind,
        outcome=outcome,
        code=code,
        reason=reason,
        citation=citation[:200],
        amount=amount,
        checks=check_rows(checks),
        subject=subject[:40],
        as_of=as_of,
        policy_version_id=policy_version_id,
        made_by=user,
    )


def decision_from_amount(
    amount: Any,  # policy_engine.decision.Amount
    *,
    account_id: int,
    kind: str,
    as_of: date,
    policy_version_id: int,
    subject: str = "",
    actor: AbstractBaseUser | AnonymousUser | None = None,
    charged: Decimal | None = None,
) -> PolicyDecision:
    """A fee-like decision from the engine's Amount; `charged` when what was posted differs from
    the engine's figure (never silently: the reason says so)."""
    posted = amount.amount if charged is None else charged
    cite = amount.citation
    reason = amount.reason
    if charged is not None and charged != amount.amount:
        reason = f"{reason} (posted {charged}, policy computed {amount.amount})"
    return decision_record(
        account_id=account_id,
        kind=kind,
        outcome=outcome_for_amount(posted),
        code=amount.code,
        reason=reason,
        citation=amount.citation,
        amount=posted,
        checks=[{"code": amount.code, "outcome": "satisfied", "reason": amount.reason, "citation": cite}],
        as_of=as_of,
        policy_version_id=policy_version_id,
        subject=subject,
        actor=actor,
    )
