from datetime import date

from django.db import IntegrityError, transaction

from accounts.services.ledger import accounts_lock
from common.audit import audit_record
from common.dates import add_months
from common.exceptions import DomainError
from counseling.models import HardshipInterview, ProgramEnrollment, ProgramKind
from policy.selectors import current_policy


@transaction.atomic(durable=True)
def enrollment_create(
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
    if program == ProgramKind.LOW_INCOME and not (interview and interview.low_income):
        raise DomainError(
            "program.not_low_income",
            "A hardship interview showing low-income status is needed to enroll in the low-income discount.",
        )
    months = current_policy()[0].param("low_income.recert_months")  # rules.md §1.10
    try:
        with transaction.atomic():
            enrollment = ProgramEnrollment.objects.create(
                account_id=account_id,
                program=program,
                certified_on=certified_on,
                interview=interview,
                recert_due=add_months(certified_on, months),
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
    return enrollment
