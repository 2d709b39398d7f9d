from decimal import Decimal
from uuid import uuid4

import pytest
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import AccountFactory, charge
from common.tokens import token_issue
from payments.models import CounterTransaction

pytestmark = pytest.mark.django_db


def _key(user) -> str:  # type: ignore[no-untyped-def]
    return token_issue(user=user, name="IVR", actor=user)[1]


def test_ivr_posts_a_card_payment_once_per_key(make_user):
    ivr = make_user("ivr", "Cashier")
    client = Client(HTTP_AUTHORIZATION=f"Token {_key(ivr)}")
    account = AccountFactory()
    charge(account, "80.00", due=timezone.localdate())
    body = {
        "account_number": account.number,
        "amount": "50.00",
        "tender": "card",
        "card_last4": "4242",
        "auth_code": "A77",
        "idempotency_key": str(uuid4()),
    }
    first = client.post("/api/v1/payments", body, content_type="application/json")
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["balance"] == "30.00" and data["distribution"] == [{"fund": "WTR", "amount": "50.00"}]
    again = client.post("/api/v1/payments", body, content_type="application/json")
    assert (
        again.json()["receipt_number"] == data["receipt_number"] and CounterTransaction.objects.count() == 1
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"tender": "cash"}, "tender"),
        ({"card_last4": "4242424242424242"}, "card_last4"),
        ({"idempotency_key": "not-a-uuid"}, "idempotency_key"),
        ({"account_number": "0000000000"}, "account_number"),
    ],
)
def test_bad_payment_requests_are_refused_field_by_field(make_user, change, field):
    ivr = make_user("ivr", "Cashier")
    client = Client(HTTP_AUTHORIZATION=f"Token {_key(ivr)}")
    account = AccountFactory()
    body = {
        "account_number": account.number,
        "amount": "5.00",
        "tender": "card",
        "card_last4": "4242",
        "auth_code": "A1",
        "idempotency_key": str(uuid4()),
        **change,
    }
    response = client.post("/api/v1/payments", body, content_type="application/json")
    assert response.status_code == 400 and field in response.json()
    assert not CounterTransaction.objects.exists()
    account.refresh_from_db()
    assert account.balance == Decimal("0.00")


def test_cash_only_accounts_refuse_an_e_check_through_the_api(make_user):
    ivr = make_user("ivr", "Cashier")
    client = Client(HTTP_AUTHORIZATION=f"Token {_key(ivr)}")
    account = AccountFactory(cash_only_until=timezone.localdate())
    response = client.post(
        "/api/v1/payments",
        {
            "account_number": account.number,
            "amount": "5.00",
            "tender": "check",
            "reference": "991",
            "idempotency_key": str(uuid4()),
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["code"] == "payment.cash_only"


def test_an_api_payment_costs_17_statements_in_all(make_user, django_assert_num_queries):
    """The whole `POST /api/v1/payments` bench/counter_http.py times: the token with its user, the
    user's permissions (one statement, compiled once), the account by number, then the posting's
    14 for one account (the key lookup joined the reads under the locks). It was 18."""
    ivr = make_user("ivr", "Cashier")
    client = Client(HTTP_AUTHORIZATION=f"Token {_key(ivr)}")
    account = AccountFactory()
    charge(account, "80.00", due=timezone.localdate())

    def body() -> dict:
        return {"account_number": account.number, "amount": "5.00", "tender": "card", "card_last4": "4242",
                "auth_code": "A1", "idempotency_key": str(uuid4())}  # fmt: skip

    client.post(
        "/api/v1/payments", body(), content_type="application/json"
    )  # the token's last use: once a minute
    with django_assert_num_queries(17):
        posted = client.post("/api/v1/payments", body(), content_type="application/json")
    assert posted.status_code == 201 and posted.json()["balance"] == "70.00"
