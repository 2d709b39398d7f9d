from django.utils import timezone

from common.documents import document_language
from common.pdf import pdf_render
from counseling.models import Arrangement, Letter, LetterKind, Pledge, ProgramEnrollment, Referral

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
    return pdf_render(f"counseling/pdf/{letter.kind}.html", ctx, language=document_language(account.customer))
