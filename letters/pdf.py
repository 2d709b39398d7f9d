"""Standard letters as PDFs, in the letter's language (dates and the contact block)."""

from datetime import date

from django.utils import translation

from accounts.models import Account
from common.pdf import pdf_render
from letters.models import SentLetter
from letters.services import paragraphs


def _render(*, account: Account, language: str, title: str, text: str, on: date, preview: bool) -> bytes:
    with translation.override(language):
        # pdf_render switches to the language it is given (English when none): the contact block
        # and the page footer print in the letter's language only when it is passed on
        return pdf_render(
            "letters/pdf/letter.html",
            {
                "language": language,
                "account": account,
                "customer": account.customer,
                "date": on,
                "title": title,
                "paragraphs": paragraphs(text),
                "preview": preview,
            },
            language=language,
        )


def sent_letter_pdf(sent: SentLetter) -> bytes:
    """The letter as it was sent: a reprint is the same letter, dated the day it was sent."""
    from django.utils import timezone

    return _render(
        account=sent.account, language=sent.language, title=sent.title, text=sent.text,
        on=timezone.localdate(sent.sent_at), preview=False,
    )  # fmt: skip


def letter_preview_pdf(*, account: Account, language: str, title: str, text: str, on: date) -> bytes:
    return _render(account=account, language=language, title=title, text=text, on=on, preview=True)
