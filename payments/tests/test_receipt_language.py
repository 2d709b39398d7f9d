"""The customer's receipt (PDF and 80 mm slip) prints in the customer's language; the receipt
page the cashier works on stays English (issue 16)."""

from uuid import uuid4

import pytest
from django.utils import timezone

from accounts.tests.factories import AccountFactory, CustomerFactory, charge
from conftest import ROLE_NAMES, pdf_text
from conftest import SPANISH_MONTHS as MESES
from payments.models import CounterTransaction
from payments.pdf import nsf_letter_pdf, receipt_pdf
from payments.services.returns import tender_return
from payments.tests.factories import cash, check, open_session, post

pytestmark = pytest.mark.django_db
CASHIER = ROLE_NAMES[1]


def _receipt(cashier, language: str) -> CounterTransaction:  # type: ignore[no-untyped-def]
    account = AccountFactory(customer=CustomerFactory(preferred_language=language))
    charge(account, "1234.56", due=timezone.localdate())
    return post(
        open_session(cashier), cashier, (account, "1234.56"), tenders=[cash("1000.00"), check("234.56", "77")]
    )


def test_a_spanish_customers_receipt_is_in_spanish(make_user):
    txn = _receipt(make_user("dale", "Cashier"), "es")
    text = pdf_text(receipt_pdf(txn, copy=True))
    when = timezone.localtime(txn.created_at)
    assert f"Recibo de pago {txn.receipt_number} (COPIA)" in text
    assert f"{when.day} de {MESES[when.month - 1]} de {when.year}, {when:%H:%M}" in text
    # (the diagonal COPIA watermark's letters fall between some words of the extracted text)
    assert "Aplicado a" in text and "Cliente Fondos Monto" in text and "Total pagado" in text
    assert "$1,234.56" in text and "1.234,56" not in text  # US figures
    assert "Forma de pago Efectivo" in text and "Cheque #77 (Desert Bank) $234.56 Cambio $0.00" in text
    assert "Conserve este recibo." in text and "Página 1 de 1" in text
    assert "Payment receipt" not in text and "Total paid" not in text


def test_an_english_customers_receipt_is_unchanged(make_user):
    txn = _receipt(make_user("dale", "Cashier"), "en")
    text = pdf_text(receipt_pdf(txn, copy=False))
    when = timezone.localtime(txn.created_at)
    assert f"Payment receipt {txn.receipt_number}" in text and "COPY" not in text
    assert f"{when:%B} {when.day}, {when.year}" in text
    assert "Applied to" in text and "Total paid $1,234.56" in text and "Cash $1,000.00" in text
    assert "Check #77 (Desert Bank) $234.56 Change due $0.00" in text and "Page 1 of 1" in text
    assert "Recibo" not in text


def test_the_80mm_slip_is_in_spanish_and_the_receipt_page_stays_english(role_clients, django_user_model):
    client = role_clients[CASHIER]
    txn = _receipt(django_user_model.objects.get(username="cashier"), "es")
    url = f"/cashier/receipts/{txn.receipt_number}/"
    slip = client.post(f"{url}print/80mm/").content.decode()
    copy = client.post(f"{url}print/80mm/").content.decode()
    assert '<html lang="es">' in slip and f"Recibo {txn.receipt_number}" in slip
    assert "Efectivo" in slip and "CAMBIO" in slip and "Gracias" in slip and "Pagado" in slip
    assert "*** COPIA ***" in copy and "*** COPIA ***" not in slip
    page = client.get(url).content.decode()
    assert "Change due" in page and "Tenders" in page and "Cash" in page
    assert "Efectivo" not in page and "Recibo" not in page


def test_a_spanish_customers_returned_payment_letter_has_a_spanish_frame(make_user):
    cashier = make_user("dale", "Cashier")
    txn = _receipt(cashier, "es")
    item = tender_return(
        tender_id=txn.tenders.get(kind="check").pk,
        returned_on=timezone.localdate(),
        reason="NSF",
        actor=cashier,
        idempotency_key=uuid4(),
    )
    text = pdf_text(nsf_letter_pdf(item))
    assert "City Utilities — Centro de Atención al Cliente" in text and "Aviso de pago devuelto" in text
    assert "Se había aplicado a:" in text and "Dirección del servicio Retirado Saldo actual" in text
    assert "Atención al Cliente, City Utilities" in text and "Página 1 de 1" in text


def test_a_spanish_customers_returned_payment_letter_has_a_spanish_body(make_user):
    cashier = make_user("dale", "Cashier")
    txn = _receipt(cashier, "es")
    today = timezone.localdate()
    item = tender_return(
        tender_id=txn.tenders.get(kind="check").pk,
        returned_on=today,
        reason="NSF",
        actor=cashier,
        idempotency_key=uuid4(),
    )
    text = pdf_text(nsf_letter_pdf(item))
    fecha = f"{today.day} de {MESES[today.month - 1]} de {today.year}"
    assert f"Su pago (cheque n.º 77) por $234.56, recibido el {fecha} (recibo {txn.receipt_number})" in text
    assert f"fue devuelto por su banco el {fecha}: fondos insuficientes (NSF)." in text
    assert "Este monto se retiró de su cuenta y se añadió un cargo por pago devuelto de" in text
    assert "El resto de ese recibo (efectivo $1,000.00) se mantiene." in text
    assert "Pague el monto devuelto y el cargo en efectivo" in text and "Si su saldo no se paga" in text
    assert "returned by your bank" not in text and "check no." not in text and "Please pay" not in text
