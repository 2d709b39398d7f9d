"""What the policy finds for an uncollectible write-off (reads only): the request form shows it
before anything is asked, the request and the approval decide by it (services.write_offs)."""

from dataclasses import dataclass
from datetime import date

from collections_app.selectors.recovery import collection_steps, facts_for
from policy.models import PolicyVersion
from policy.selectors import current_policy
from policy_engine.amounts import (
    WRITE_OFF_CRITERIA,
    WriteOffCheck,
    write_off_check,
    write_off_evidence,
)
from policy_engine.decision import RuleCheck

# West Terre Haute's uncollectible criteria (rules.md 1.9) and the evidence each needs live in the
# policy engine (amounts_write_off); bankruptcy discharges normally come through the bankruptcy
# case, which writes off the pre-petition balance itself.
CRITERIA = WRITE_OFF_CRITERIA
# What staff may have seen showing a debtor died leaving no estate (the "deceased" evidence).
DECEASED_DOCUMENTS = {
    "death_certificate_probate": "Death certificate, and a probate search found no estate",
    "executor_letter": "Letter from the executor or the probate court: no assets",
    "obituary_probate": "Obituary, and a probate search found no estate",
}


def request_check(
    *, account_id: int, as_of: date, criteria: str, document: str
) -> tuple[WriteOffCheck, PolicyVersion]:
    """The policy's answer for this request (reads only): every rule checked, the amount, and the
    policy version that gave it (the one a stored decision names)."""
    policy, version = current_policy()
    steps = collection_steps(
        account_id=account_id, as_of=as_of, deceased_document=DECEASED_DOCUMENTS.get(document, "")
    )
    check = write_off_check(
        policy, facts_for(account_id, as_of=as_of), as_of, criterion=criteria, steps=steps
    )
    return check, version


@dataclass(frozen=True)
class WriteOffReview:
    """What the request form shows before anything is asked: the account's rules checked, the
    amount the policy would write off, and which criteria have their evidence on record."""

    check: WriteOffCheck
    evidence: dict[str, RuleCheck]


def write_off_review(*, account_id: int, as_of: date) -> WriteOffReview:
    policy, _ = current_policy()
    steps = collection_steps(account_id=account_id, as_of=as_of)
    check = write_off_check(policy, facts_for(account_id, as_of=as_of), as_of)
    return WriteOffReview(check, write_off_evidence(policy, steps, as_of))


def refusal_text(check: WriteOffCheck) -> str:
    return " ".join(c.reason for c in check.checks if c.outcome in ("blocked", "deferred")) or (
        "The policy does not allow an uncollectible write-off."
    )


def checks_json(check: WriteOffCheck, version: int, as_of: date) -> dict:  # type: ignore[type-arg]
    return {
        "as_of": as_of.isoformat(),
        "policy_version": version,
        "eligible_amount": str(check.eligible_amount),
        "checks": [
            {"code": c.code, "outcome": str(c.outcome), "reason": c.reason, "citation": c.citation}
            for c in check.checks
        ],
    }
