"""A NUL byte in an address, a query or a form field is answered 400 with a clear message on every
page and API call (PostgreSQL text cannot hold one: it was a 500), and nothing is saved."""

import json

import pytest

from accounts.models import Account
from accounts.tests.factories import AccountFactory
from common.middleware import NUL_MESSAGE

pytestmark = pytest.mark.django_db
JSON = "application/json"

PAGES = [
    "/accounts/?q=ab%00cd",
    "/accounts/ab%00cd/",
    "/accounts/{number}/entries/?q=a%00",
    "/collections/shutoff/?x=%00",
    "/collections/orders/?q=ab%00cd",
    "/counseling/?q=%00",
    "/payments/?q=ab%00cd",
]
API = [
    "/api/v1/accounts/ab%00cd",
    "/api/v1/accounts/search?q=ab%00cd",
    "/api/v1/audit-events?verb=a%00b",
    "/api/v1/service-orders?status=open%00",
    "/api/v1/accounts/{number}/decision?as_of=2026-01-01%00",
]


@pytest.fixture
def admin_client_(make_user, client):  # type: ignore[no-untyped-def]
    user = make_user("root", "Supervisor", "Administrator", "Collections officer", "Cashier", is_staff=True)
    client.force_login(user)
    return client


@pytest.mark.parametrize("url", PAGES)
def test_a_nul_in_a_page_address_or_query_is_400(admin_client_, url):
    number = AccountFactory().number
    response = admin_client_.get(url.format(number=number))
    assert response.status_code == 400
    assert NUL_MESSAGE in response.content.decode()


@pytest.mark.parametrize("url", API)
def test_a_nul_in_an_api_call_is_400_json(admin_client_, url):
    number = AccountFactory().number
    response = admin_client_.get(url.format(number=number))
    assert response.status_code == 400
    assert response.json() == {"code": "request.nul", "detail": NUL_MESSAGE}


def test_a_posted_form_field_with_a_nul_is_400_and_saves_nothing(admin_client_):
    account = AccountFactory()
    before = Account.objects.get(pk=account.pk).due_day
    response = admin_client_.post(f"/accounts/{account.number}/due-day/", {"due_day": "1\x005"})
    assert response.status_code == 400 and NUL_MESSAGE in response.content.decode()
    assert Account.objects.get(pk=account.pk).due_day == before
    search = admin_client_.post("/accounts/", {"q": "ab\x00cd"})
    assert search.status_code == 400


def test_a_json_body_with_a_nul_is_400(admin_client_):
    account = AccountFactory()
    body = {"as_of": "2026-01-01", "facts": {"account_id": "a\u0000b"}, "preset": "DEFAULT"}
    response = admin_client_.post("/api/v1/policy/evaluate", json.dumps(body), content_type=JSON)
    assert response.status_code == 400 and response.json()["code"] == "request.nul"
    payment = {"idempotency_key": "k\u0000", "account_number": account.number, "amount": "1.00"}
    response = admin_client_.post("/api/v1/payments", json.dumps(payment), content_type=JSON)
    assert response.status_code == 400 and response.json()["code"] == "request.nul"


def test_text_without_a_nul_still_works(admin_client_):
    assert admin_client_.get("/accounts/?q=ab%2500cd").status_code == 200  # "%00" typed literally
