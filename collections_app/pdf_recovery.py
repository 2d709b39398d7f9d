"""PDFs of the recovery area: the agency referral letter to the customer and the credit
reference letter. Rendered outside any transaction or lock."""

from django.utils import timezone

from collections_app.models import AgencyReferral, CreditReferenceLetter
from common.documents import document_language
from common.pdf import pdf_render


def referral_letter_pdf(referral: AgencyReferral) -> bytes:
    account = referral.account
    return pdf_render(
        "collections_app/pdf/referral_letter.html",
        {
            "referral": referral,
            "account": account,
            "customer": account.customer,
            "total": referral.principal + referral.fee_amount,
            "today": timezone.localdate(),
        },
        # a letter to the customer: in the customer's language (issue 16)
        language=document_language(account.customer),
    )


def credit_letter_pdf(letter: CreditReferenceLetter) -> bytes:
    account = letter.account
    return pdf_render(
        "collections_app/pdf/credit_letter.html",
        {
            "letter": letter,
            "account": account,
            "customer": account.customer,
            "s": letter.summary,
            "twelve_only": letter.months_covered == 12,
        },
    )
