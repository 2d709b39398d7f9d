from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML

from common.contact import contact_context


def pdf_render(template: str, context: dict[str, Any], *, language: str | None = None) -> bytes:
    """Render a template to PDF. PDF templates carry their own styles and fetch nothing. A
    customer document passes the customer's `language` (common.documents.document_language).
    Every document gets the utility's contact details (templates/common/pdf/_contact.html)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        html = render_to_string(template, {**contact_context(), **context})
    return HTML(string=html).write_pdf()


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    """A PDF shown in the browser (print from there), named for a save."""
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
