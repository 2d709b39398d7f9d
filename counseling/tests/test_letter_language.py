"""A letter's frame (heading, date, account line, footer) prints in the customer's language
(issue 16); the letter bodies become administrator-kept standard texts elsewhere."""

import pytest
from django.utils import timezone

from accounts.tests.factories import AccountFactory, CustomerFactory
from conftest import pdf_text
from counseling.models import Letter
from counseling.pdf import letter_pdf
from counseling.services.agencies import referral_create
from counseling.tests.factories import agency

pytestmark = pytest.mark.django_db
MESES = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]


def _referral_letter(counselor, language: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    account = AccountFactory(customer=CustomerFactory(preferred_language=language))
    referral = referral_create(
        account_id=account.pk, agency_id=agency().pk, program="LIHEAP", note="", counselor=counselor
    )
    return account.number, pdf_text(letter_pdf(Letter.objects.get(kind="referral", subject_id=referral.pk)))


def test_a_spanish_customers_letter_has_a_spanish_frame(make_user):
    number, text = _referral_letter(make_user("carmen", "Counselor"), "es")
    today = timezone.localdate()
    assert "City Utilities — Asesoría de Crédito" in text
    assert f"{today.day} de {MESES[today.month - 1]} de {today.year}" in text
    assert f"Cuenta {number} · Dirección del servicio" in text
    assert "Referencia para asistencia con el pago de servicios" in text and "Asesor de crédito" in text
    # the footer gives the counseling number from the contact details, labelled in Spanish
    assert "Si tiene dificultades para pagar" in text and "Página 1 de 1" in text
    assert "Asesoría de Crédito (602) 555-0123" in text


def test_an_english_customers_letter_is_unchanged(make_user):
    number, text = _referral_letter(make_user("carmen", "Counselor"), "en")
    today = timezone.localdate()
    assert "City Utilities — Credit Counseling" in text and f"{today:%B} {today.day}, {today.year}" in text
    assert f"Account {number} · Service address" in text and "Referral for utility assistance" in text
    assert "If you are having difficulty paying" in text and "Page 1 of 1" in text
    assert "Credit Counseling (602) 555-0123" in text
