from django.utils import timezone

from common.documents import document_language
from common.pdf import pdf_render
from counseling.models import (
    Arrangement,
    InstallmentStatus,
    Letter,
    LetterKind,
    Pledge,
    ProgramEnrollment,
    Referral,
)

SUBJECTS = {
    LetterKind.REFERRAL: Referral,
    LetterKind.AGREEMENT: Arrangement,
    LetterKind.INSTALLMENT_REMINDER: Arrangement,
    LetterKind.ARRANGEMENT_BROKEN: Arrangement,
    LetterKind.PLEDGE_EXPIRED: Pledge,
    LetterKind.RECERT_REMINDER: ProgramEnrollment,
    LetterKind.ENROLLMENT_EXPIRED: ProgramEnrollment,
}


def letter_pdf(letter: Letter) -> bytes:
    subject = SUBJECTS[letter.kind].objects.get(pk=letter.subject_id)
    account = letter.account
    ctx = {
        "letter": letter,
        "account": account,
        "customer": account.customer,
        "subject": subject,
        "today": timezone.localdate(),
    }
    if isinstance(subject, Arrangement):
        ctx["installments"] = list(subject.installments.all())
        # the broken letter names the installment that broke it in the customer's language (the
        # stored end_reason is English); the nightly run breaks on the first missed one
        ctx["missed"] = min(
            (i for i in ctx["installments"] if i.status == InstallmentStatus.MISSED),
            key=lambda i: i.number,
            default=None,
        )
    return pdf_render(f"counseling/pdf/{letter.kind}.html", ctx, language=document_language(account.customer))
