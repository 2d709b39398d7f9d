"""Write-off decisions (rules.md §1.9) stored as accounts.PolicyDecision, with every rule the
engine's `write_off_check` checked (the evidence included).

Allowed: stored inside the request's (or the approval's) own transaction, after the write-off is
written, with the version that decided. Refused: the refusal is a `DomainError`, so the service's
transaction rolls back; `records_refusal` then stores the refusal in a transaction of its own. It
is worth storing (staff asked, the policy said no, and why must be answerable later), and nothing
it describes was written, so there is nothing to keep consistent with it. A refused request posted
twice stores two refusals: each was a request staff made."""

import functools
from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import transaction

from accounts.models import DecisionKind, DecisionOutcome, PolicyDecision
from accounts.services.decisions import decision_record
from common.exceptions import DomainError
from policy_engine.amounts import WriteOffCheck

AGE = "UNCOLLECTIBLE_AGE"  # the rule that sets how much is written off


class WriteOffRefused(DomainError):
    """The policy refused a write-off: the message for staff, and what is needed to store it."""

    def __init__(  # type: ignore[no-untyped-def]
        self, message: str, *, account_id: int, check: WriteOffCheck, version_id: int, as_of: date,
        actor, subject: str,
    ) -> None:  # fmt: skip
        super().__init__("write_off.not_eligible", message)
        self.account_id, self.check, self.version_id = account_id, check, version_id
        self.as_of, self.actor, self.subject = as_of, actor, subject


def write_off_decision_record(  # type: ignore[no-untyped-def]
    *, account_id: int, check: WriteOffCheck, version_id: int, as_of: date, actor, subject: str
) -> PolicyDecision:
    blocking = [c for c in check.checks if c.outcome in ("blocked", "deferred")]
    if check.uncollectible_eligible:
        outcome, amount = DecisionOutcome.ALLOWED, check.eligible_amount
        deciding = next(c for c in check.checks if c.code == AGE)
        reason = " ".join(c.reason for c in check.checks if c.outcome == "satisfied")
    else:
        outcome, amount = DecisionOutcome.REFUSED, None
        deciding = blocking[0] if blocking else check.checks[-1]
        reason = " ".join(c.reason for c in blocking) or deciding.reason
    return decision_record(
        account_id=account_id,
        kind=DecisionKind.WRITE_OFF,
        outcome=outcome,
        code=deciding.code,
        reason=reason,
        citation=deciding.citation,
        amount=amount,
        checks=check.checks,
        as_of=as_of,
        policy_version_id=version_id,
        subject=subject,
        actor=actor,
    )


def records_refusal[F: Callable[..., Any]](service: F) -> F:
    """Wrap a durable write-off service: a `WriteOffRefused` it raises (after its own transaction
    rolled back) is stored as a refused decision in a new transaction, then raised on."""

    @functools.wraps(service)
    def wrapper(**kwargs: Any) -> Any:
        try:
            return service(**kwargs)
        except WriteOffRefused as refused:
            with transaction.atomic(durable=True):
                write_off_decision_record(
                    account_id=refused.account_id,
                    check=refused.check,
                    version_id=refused.version_id,
                    as_of=refused.as_of,
                    actor=refused.actor,
                    subject=refused.subject,
                )
            raise

    return wrapper  # type: ignore[return-value]
