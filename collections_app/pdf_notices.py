"""Notices as PDFs: a batch prints one page per notice (WeasyPrint); any notice prints alone."""

from typing import Any

from collections_app.models import Notice, NoticeBatch
from collections_app.selectors.notices import batch_notices
from common.pdf import pdf_render
from counseling.models import Agency
from policy.selectors import current_policy


def _help() -> dict[str, Any]:
    """What every notice tells the customer about getting help, from the current policy."""
    policy, _ = current_policy()
    return {
        "arrangement_months": policy.param("arrangements.max_months"),
        "appeal_blocks": policy.param("protections.appeal_blocks"),
        "agencies": list(Agency.objects.filter(active=True).order_by("name")[:4]),
    }


def notice_batch_pdf(batch: NoticeBatch) -> bytes:
    notices = list(batch_notices(batch=batch).select_related("batch"))
    title = f"{batch.get_kind_display()} batch {batch.business_date:%Y-%m-%d}"
    return pdf_render(
        "collections_app/pdf/notice_batch.html", {"notices": notices, "help": _help(), "title": title}
    )


def notice_pdf(notice: Notice) -> bytes:
    return pdf_render(
        "collections_app/pdf/notice_batch.html",
        {
            "notices": [notice],
            "help": _help(),
            "title": f"{notice.get_kind_display()} {notice.account.number}",
        },
    )
