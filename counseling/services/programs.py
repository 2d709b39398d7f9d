from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import DecisionKind, DecisionOutcome
from accounts.services.decisions import decision_record
from accounts.services.ledger import accounts_lock
from common.audit import audit_record
from common.dates import add_months
from common.exceptions import DomainError
from counseling.models import HardshipInterview, ProgramEnrollment, ProgramKind
from counseling.services.policy_decisions import PolicyRefused, program_decision, refusal_record
from policy.selectors import current_policy


def enrollment_create(
    *,
    account_id: int,
    program: str,
    certified_on: date,
    interview_id: int | None,  # type: ignore[no-untyped-def]
    counselor,
) -> ProgramEnrollment:
    """Enroll the account; the policy's eligibility decision is stored with the enrollment. An
    enrollment the policy refuses rolls back, and the refusal is stored in its own transaction
    (`PolicyRefused.decision`) and raised."""
    try:
        return _enrollment_create(
            account_id=account_id,
            program=program,
            certified_on=certified_on,
            interview_id=interview_id,
            counselor=counselor,
        )
    except PolicyRefused as exc:
        exc.decision = refusal_record(exc)
        raise


@transaction.atomic(durable=True)
def _enrollment_create(
    *,
    account_id: int,
    program: str,
    certified_on: date,
    interview_id: int | None,  # type: ignore[no-untyped-def]
    counselor,
) -> ProgramEnrollment:
    accounts_lock([account_id])
    if program not in ProgramKind.values:
        raise DomainError("program.kind", "Choose a program.")
    interview = (
        HardshipInterview.objects.filter(pk=interview_id, account_id=account_id).first()
        if interview_id
        else None
    )
    policy, version = current_policy()
    recert_due = add_months(certified_on, policy.param("low_income.recert_months"))  # rules.md §1.10
    eligible, code, reason, citation, checks = program_decision(
        policy=policy,
        program=program,
        program_label=ProgramKind(program).label,
        interview=interview,
        certified_on=certified_on,
        recert_due=recert_due,
    )
    decided = {
        "account_id": account_id,
        "kind": DecisionKind.PROGRAM,
        "code": code,
        "reason": reason,
        "citation": citation,
        "checks": checks,
        "as_of": timezone.localdate(),
        "policy_version_id": version.pk,
        "actor": counselor,
    }
    if not eligible:
        raise PolicyRefused(
            "program.not_low_income",
            "A hardship interview showing low-income status is needed to enroll in the low-income discount.",
            decision=decided | {"subject": f"program:{program}"},
        )
    try:
        with transaction.atomic():
            enrollment = ProgramEnrollment.objects.create(
                account_id=account_id,
                program=program,
                certified_on=certified_on,
                interview=interview,
                recert_due=recert_due,
                counselor=counselor,
            )
    except IntegrityError:
        raise DomainError("program.already", "The account is already enrolled in this program.") from None
    audit_record(
        actor=counselor,
        verb="program.enroll",
        target=enrollment,
        account_id=account_id,
        data={"program": program, "recert_due": enrollment.recert_due.isoformat()},
    )
    decision_record(**decided, outcome=DecisionOutcome.ALLOWED, subject=f"enrollment:{enrollment.pk}")
    return enrollment
