from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.tests.factories import AccountFactory, CustomerFactory, charge, pay
from common.tokens import token_issue

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def account():
    account = AccountFactory(
        number="0000700001",
        customer=CustomerFactory(first_name="Rosa", last_name="Delgado", search_name="DELGADO, ROSA"),
    )
    charge(account, "90.00", due=TODAY - timedelta(days=45))
    pay(account, "20.00", on=TODAY - timedelta(days=2))
    return account


def test_search_detail_and_entries(role_clients, account):
    client = role_clients["Counselor"]
    hits = client.get("/api/v1/accounts/search?q=Delgato").json()["results"]
    assert hits[0]["number"] == "0000700001" and hits[0]["balance"] == "70.00"
    detail = client.get("/api/v1/accounts/0000700001").json()
    assert detail["balance"] == "70.00" and detail["aging"]["d31_60"] == "70.00"
    assert detail["services"] == [{"utility": "water", "status": "connected"}]
    entries = client.get("/api/v1/accounts/0000700001/entries?page_size=1").json()
    assert entries["results"][0]["kind"] == "payment" and entries["next"]
    second = client.get(entries["next"]).json()
    assert second["results"][0]["kind"] == "charge" and second["results"][0]["amount"] == "90.00"


def test_bad_search_and_unknown_account(role_clients):
    client = role_clients["Counselor"]
    assert client.get("/api/v1/accounts/search?q=a").json() == {"q": "Give at least 2 characters."}
    assert client.get("/api/v1/accounts/0000000404").status_code == 404


def test_bill_import_api_answers_with_the_job_not_the_import(make_user, account):
    """The import itself is a job (test_bill_import_job.py polls it with a real worker)."""
    admin = make_user("billing-engine", "Administrator")
    _token, key = token_issue(user=admin, name="test", actor=admin)
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    good = (
        "bill_number,account_number,period_start,period_end,bill_date,due_date,fund_code,amount\n"
        f"B55,{account.number},2026-10-01,2026-10-31,2026-11-01,2026-11-22,SWR,15.00\n"
    )
    response = client.post("/api/v1/bills/import", {"file": SimpleUploadedFile("b.csv", good.encode())})
    assert response.status_code == 202 and response.json()["kind"] == "accounts.bill_import"
    account.refresh_from_db()
    assert account.balance == Decimal("70.00"), "nothing imported inside the request"
    assert client.post("/api/v1/bills/import", {}).json() == {"file": "Attach the bill CSV as `file`."}
    empty = client.post("/api/v1/bills/import", {"file": SimpleUploadedFile("b.csv", b"")})
    assert empty.status_code == 400
