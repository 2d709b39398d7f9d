"""A counseling letter prints in the customer's language (issue 16): its frame (heading, date,
account line, footer) and its body paragraphs; an English customer's letter is unchanged."""

from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.utils import timezone

from accounts.tests.factories import AccountFactory, CustomerFactory, charge
from conftest import SPANISH_MONTHS as MESES
from conftest import pdf_text
from counseling.models import Letter
from counseling.pdf import letter_pdf
from counseling.services.agencies import pledge_record, referral_create
from counseling.services.arrangements import arrangement_propose
from counseling.services.follow_ups import follow_ups_run
from counseling.services.programs import enrollment_create
from counseling.tests.factories import agency

pytestmark = pytest.mark.django_db


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


def _arrangement_letters(counselor, language: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """The agreement letter of a new arrangement, and the letter the night sends when its first
    installment is missed."""
    today = timezone.localdate()
    account = AccountFactory(customer=CustomerFactory(preferred_language=language))
    charge(account, "300.00", due=today - timedelta(days=20))
    arrangement = arrangement_propose(
        account_id=account.pk,
        counselor=counselor,
        down_payment=Decimal("0"),
        installments=3,
        reason="x",
        idempotency_key=uuid4(),
    )
    agreement = pdf_text(letter_pdf(Letter.objects.get(kind="agreement", subject_id=arrangement.pk)))
    arrangement.installments.filter(number=1).update(due_date=today - timedelta(days=2))
    follow_ups_run(business_date=today)
    broken = pdf_text(letter_pdf(Letter.objects.get(kind="arrangement_broken", subject_id=arrangement.pk)))
    return agreement, broken


def test_a_spanish_customers_arrangement_letters_have_spanish_bodies(make_user):
    agreement, broken = _arrangement_letters(make_user("carmen", "Counselor"), "es")
    assert "Este acuerdo cubre el saldo de $300.00 de su cuenta al" in agreement
    assert "además de sus nuevas facturas a medida que venzan" in agreement
    assert "Mientras cumpla con este arreglo, no tomaremos medidas de cobranza" in agreement
    assert "This agreement covers" not in agreement and "While you keep" not in agreement
    # the reason is said in Spanish, not copied from the stored English end_reason
    assert "La cuota n.º 1 no se pagó en su fecha de vencimiento." in broken
    assert "su arreglo de pago número" in broken and "ya no está vigente" in broken
    assert "Pague o llámenos de inmediato." in broken
    assert "was not paid" not in broken and "no longer in effect" not in broken and "Please pay" not in broken


def test_an_english_customers_arrangement_letters_are_unchanged(make_user):
    agreement, broken = _arrangement_letters(make_user("carmen", "Counselor"), "en")
    assert "This agreement covers the balance of $300.00 on your account as of" in agreement
    assert "While you keep this arrangement, we will not take collection action" in agreement
    assert (
        "Installment #1 was not paid by its due date. Because of this your payment arrangement number"
        in broken
    )
    assert "is no longer in effect, and the remaining balance of $300.00 is due." in broken
    assert "Please pay or call us right away." in broken


def test_a_spanish_customers_referral_letter_has_a_spanish_body(make_user):
    _number, text = _referral_letter(make_user("carmen", "Counselor"), "es")
    assert "Lo hemos remitido a" in text and "Comuníquese con la agencia: teléfono" in text
    assert "Traiga esta carta, su factura más reciente" in text
    assert "We have referred you" not in text and "Bring this letter" not in text


def test_an_english_customers_referral_letter_body_is_unchanged(make_user):
    _number, text = _referral_letter(make_user("carmen", "Counselor"), "en")
    assert "We have referred you to" in text and "Contact the agency: phone" in text
    assert "Bring this letter, your most recent bill" in text


def test_a_spanish_customers_pledge_and_recertification_letters_have_spanish_bodies(make_user):
    counselor, today = make_user("carmen", "Counselor"), timezone.localdate()
    account = AccountFactory(customer=CustomerFactory(preferred_language="es"))
    charge(account, "300.00", due=today - timedelta(days=30))
    pledge = pledge_record(
        account_id=account.pk,
        agency_id=agency().pk,
        program="LIHEAP",
        amount=Decimal("120.00"),
        pledged_on=today - timedelta(days=40),
        expected_by=today - timedelta(days=1),
        reference="V-1",
        counselor=counselor,
    )
    enrollment = enrollment_create(
        account_id=account.pk,
        program="senior",
        certified_on=today - timedelta(days=710),
        interview_id=None,
        counselor=counselor,
    )
    follow_ups_run(business_date=today)
    expired = pdf_text(letter_pdf(Letter.objects.get(kind="pledge_expired", subject_id=pledge.pk)))
    assert "Valley Community Action se comprometió el" in expired and "a pagar $120.00" in expired
    assert "Comuníquese con Valley Community Action al (602) 555-0150 y llámenos." in expired
    assert "Su saldo es de $300.00." in expired and "pledged" not in expired
    reminder = pdf_text(letter_pdf(Letter.objects.get(kind="recert_reminder", subject_id=enrollment.pk)))
    assert "Debe renovar su inscripción a más tardar el" in reminder and "tarifa reducida" in reminder
    assert "must be renewed" not in reminder
