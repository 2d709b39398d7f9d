from typing import Any

from django.http import HttpResponse
from django.template.loader import render_to_string
from weasyprint import HTML

from common.contact import contact_context


def pdf_render(template: str, context: dict[str, Any]) -> bytes:
    """Render a template to PDF. PDF templates carry their own styles and fetch nothing.
    Every document gets the utility's contact details (templates/common/pdf/_contact.html)."""
    return HTML(string=render_to_string(template, {**contact_context(), **context})).write_pdf()


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    """A PDF shown in the browser (print from there), named for a save."""
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
