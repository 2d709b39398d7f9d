"""Authenticated pages and every PDF and CSV carry `Cache-Control: no-store` (issue 11)."""

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import AccountFactory
from common.tokens import token_issue
from conftest import ROLE_NAMES
from payments.tests.factories import cash, open_session, post

pytestmark = pytest.mark.django_db
COUNSELOR, CASHIER, COLLECTOR, SUPERVISOR, ADMIN = ROLE_NAMES


def _no_store(response) -> bool:  # type: ignore[no-untyped-def]
    return "no-store" in response.get("Cache-Control", "")


def test_a_signed_in_page_is_not_stored(role_clients):
    response = role_clients[CASHIER].get("/cashier/")
    assert response.status_code == 200 and _no_store(response)
    assert _no_store(role_clients[COUNSELOR].get("/api/v1/me"))


def test_a_token_call_is_not_stored(make_user):
    user = make_user("ivr", CASHIER)
    key = token_issue(user=user, name="IVR", actor=user)[1]
    assert _no_store(Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Token {key}"))


def test_a_receipt_pdf_and_a_gl_csv_are_not_stored(role_clients, make_user):
    cashier = make_user("dale", CASHIER)
    txn = post(open_session(cashier), cashier, (AccountFactory(), "12.00"), tenders=[cash("12.00")])
    assert txn.total == Decimal("12.00")
    client = Client()
    client.force_login(cashier)
    pdf = client.post(f"/cashier/receipts/{txn.receipt_number}/print/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and _no_store(pdf)
    csv = role_clients[SUPERVISOR].get(f"/cashier/gl-export/?day={timezone.localdate()}")
    assert csv["Content-Type"].startswith("text/csv") and _no_store(csv)


def test_static_files_keep_their_caching_even_for_a_signed_in_user(settings, role_clients):
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    static = role_clients[CASHIER].get("/static/css/app.css")
    assert static.status_code == 200 and not _no_store(static)
