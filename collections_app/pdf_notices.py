"""Notices as PDFs: a batch prints one page per notice (WeasyPrint); any notice prints alone.

A batch is rendered in parts of `PDF_PART` notices (in parallel on the Celery workers when run as
a job: collections_app.notice_jobs) and the parts are joined with pypdf. Each page's footer says
"Notice 17 of 994 · account ...", counted over the whole batch, not over its part.

Each notice prints in its customer's language (an occupant notice, addressed to whoever lives
there, in English): the batch template wraps every page in `{% language n.language %}`."""

import gc
from functools import cache
from io import BytesIO
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from pypdf import PdfWriter
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from collections_app.models import Notice, NoticeBatch
from collections_app.selectors.notices import batch_notices
from common.contact import contact_context
from common.documents import document_language, language_list
from counseling.models import Agency
from policy.selectors import current_policy

PDF_PART = 100  # notices a part: about 4 s of CPU; small parts keep every worker busy to the end
TEMPLATE = "collections_app/pdf/notice_batch.html"


@cache
def _fonts() -> FontConfiguration:
    """One font configuration a process (fontconfig and Pango's font map, with their caches of
    shaped fonts), not a new one a render: the notices load no web fonts, so nothing is ever
    added to it, and a worker or web process here renders one thing at a time (no threads)."""
    return FontConfiguration()


def _render(context: dict[str, Any]) -> bytes:
    """The notices template to PDF. WeasyPrint allocates hundreds of thousands of small objects
    a part (boxes, styles, text runs) that live until the PDF is written: with the cyclic
    garbage collector on, its collections walk them again and again (about a tenth of the CPU
    of a part: bench/README.md); off for the render, the garbage goes in one collection after."""
    notices = context.get("notices", [])
    _languages(notices, context.get("help", {}).get("translations", []))
    # the frame (the "Page 1 of 2" footer) in the notices' language when they share one; a
    # mixed batch's footer is each page's own "Notice 17 of 994" line, in its language
    languages = {n.language for n in notices}
    with translation.override(languages.pop() if len(languages) == 1 else "en"):
        html = render_to_string(TEMPLATE, {**contact_context(), **context})
    enabled = gc.isenabled()
    gc.disable()
    try:
        return HTML(string=html).write_pdf(font_config=_fonts())
    finally:
        if enabled:
            gc.enable()


def _help() -> dict[str, Any]:
    """What every notice tells the customer about getting help, from the current policy."""
    policy, _ = current_policy()
    # languages the law of any preset in force requires (the union: most protective, rules.md §0)
    required = [c for layer in policy.layers for c in layer.p("notices.translations")]
    return {
        "arrangement_months": policy.param("arrangements.max_months"),
        "appeal_blocks": policy.param("protections.appeal_blocks"),
        # every active agency: the notice used to stop at the first four by name
        "agencies": list(Agency.objects.filter(active=True).order_by("name")),
        "translations": list(dict.fromkeys(required)),
    }


def _languages(notices: list[Notice], required: list[str]) -> None:
    """Each notice's language, and the other languages it must say it is available in (English
    and the required ones, less its own), named in its language."""
    for n in notices:
        n.language = "en" if n.kind == "occupant" else document_language(n.account.customer)  # type: ignore[attr-defined]
        others = [c for c in dict.fromkeys(["en", *required]) if c != n.language] if required else []
        with translation.override(n.language):  # type: ignore[attr-defined]
            n.other_languages = language_list(others) if others else ""  # type: ignore[attr-defined]


def batch_notice_ids(batch: NoticeBatch) -> list[int]:
    """The batch's notices in print order (route order: bill cycle, then address)."""
    return list(batch_notices(batch=batch).values_list("id", flat=True))


def notices_pdf_part(ids: list[int], *, first: int, of: int, title: str) -> bytes:
    """Notices `ids` (in that order), numbered from `first` (1-based) of `of` in the batch."""
    by_id = Notice.objects.select_related("account__premise", "account__customer", "batch").in_bulk(ids)
    notices = [by_id[i] for i in ids if i in by_id]
    return _render(
        {"notices": notices, "help": _help(), "title": title, "numbered": True, "first": first, "of": of}
    )


def pdf_join(parts: list[bytes]) -> bytes:
    """One PDF of the parts' pages, in order (pypdf: the pages are copied, not re-rendered)."""
    writer = PdfWriter()
    for part in parts:
        writer.append(BytesIO(part))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def batch_title(batch: NoticeBatch) -> str:
    return f"{batch.get_kind_display()} batch {batch.business_date:%Y-%m-%d}"


def notice_batch_pdf(batch: NoticeBatch) -> bytes:
    """The whole batch in this process, part after part (tests and small batches; the page
    runs it as a job)."""
    ids = batch_notice_ids(batch)
    if not ids:
        return _render({"notices": [], "help": {}, "title": batch_title(batch)})
    parts = [
        notices_pdf_part(ids[i : i + PDF_PART], first=i + 1, of=len(ids), title=batch_title(batch))
        for i in range(0, len(ids), PDF_PART)
    ]
    return parts[0] if len(parts) == 1 else pdf_join(parts)


def notice_pdf(notice: Notice) -> bytes:
    title = f"{notice.get_kind_display()} {notice.account.number}"
    return _render({"notices": [notice], "help": _help(), "title": title})
