"""The letter telling a customer the account went to a collection agency prints in the
customer's language (issue 16); an English customer's letter is unchanged."""

import pytest
from django.utils import timezone

from accounts.tests.factories import CustomerFactory
from collections_app.models import AgencyReferral, CollectionAgency
from collections_app.pdf_recovery import referral_letter_pdf
from collections_app.services.agency import referral_batch_run
from collections_app.tests.test_agency import final_billed
from conftest import pdf_text

pytestmark = pytest.mark.django_db


def _letter(language: str) -> str:
    CollectionAgency.objects.create(name="Desert Recovery Services", contact="(602) 555-0199")
    final_billed(100, "200.00", customer=CustomerFactory(preferred_language=language))
    referral_batch_run(business_date=timezone.localdate())
    return pdf_text(referral_letter_pdf(AgencyReferral.objects.get()))


def test_a_spanish_customers_referral_letter_is_in_spanish():
    text = _letter("es")
    assert "City Utilities — Cobranzas" in text
    assert "Su cuenta ha sido remitida a una agencia de cobranza" in text
    assert "Su factura final no se pagó." in text and "Desert Recovery Services" in text
    assert "Saldo pendiente remitido $200.00" in text and "Monto que se debe ahora $240.00" in text
    assert "Se cobran intereses sobre el saldo pendiente" in text and "Página 1 de 1" in text
    assert "referred to a collection agency" not in text and "Amount now owed" not in text


def test_an_english_customers_referral_letter_is_unchanged():
    text = _letter("en")
    assert (
        "City Utilities — Collections" in text
        and "Your account has been referred to a collection agency" in text
    )
    assert "Your final bill was not paid. On" in text and "(602) 555-0199" in text
    assert "Unpaid balance referred $200.00" in text and "Amount now owed $240.00" in text
    assert "Interest is charged on the unpaid balance every month" in text
