"""Idempotency keys belong to their caller and to their request (issue 11: "Idempotency keys are
scoped and bound to the request")."""

import threading
from decimal import Decimal
from uuid import uuid4

import pytest
from django.db import connection
from django.test import Client

from accounts.tests.factories import AccountFactory
from common.exceptions import DomainError
from payments.models import CounterTransaction, Payment
from payments.services.posting import Line, TenderSpec, transaction_post
from payments.tests.factories import cash, open_session, post

pytestmark = pytest.mark.django_db


def _body(account, key, amount="20.00", **extra) -> dict:  # type: ignore[no-untyped-def]
    return {
        "account_number": account.number,
        "amount": amount,
        "tender": "card",
        "card_last4": "4242",
        "auth_code": "A77",
        "idempotency_key": str(key),
        **extra,
    }


def _api(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_the_same_key_from_two_callers_posts_each_callers_own_payment(make_user):
    ivr, portal = make_user("ivr", "Cashier"), make_user("portal", "Cashier")
    first_account, second_account = AccountFactory(), AccountFactory()
    key = uuid4()

    first = _api(ivr).post("/api/v1/payments", _body(first_account, key), content_type="application/json")
    second = _api(portal).post(
        "/api/v1/payments", _body(second_account, key), content_type="application/json"
    )

    assert first.status_code == second.status_code == 201, second.content
    assert second.json()["account_number"] == second_account.number, "another caller's receipt leaked"
    assert second.json()["receipt_number"] != first.json()["receipt_number"]
    second_account.refresh_from_db()
    assert second_account.balance == Decimal("-20.00") and Payment.objects.count() == 2


def test_a_replay_with_the_same_body_answers_the_first_receipt_and_says_so(make_user):
    client = _api(make_user("ivr", "Cashier"))
    account, key = AccountFactory(), uuid4()
    first = client.post("/api/v1/payments", _body(account, key), content_type="application/json")
    again = client.post("/api/v1/payments", _body(account, key), content_type="application/json")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and CounterTransaction.objects.count() == 1
    assert "Idempotent-Replayed" not in first.headers and again.headers["Idempotent-Replayed"] == "true"


@pytest.mark.parametrize(
    "change",
    [{"amount": "21.00"}, {"card_last4": "1111"}, {"auth_code": "B88"}, {"tender": "electronic"}, "account"],
)
def test_the_same_key_with_a_different_body_is_a_409_and_posts_nothing(make_user, change):
    client = _api(make_user("ivr", "Cashier"))
    account, key = AccountFactory(), uuid4()
    assert (
        client.post("/api/v1/payments", _body(account, key), content_type="application/json").status_code
        == 201
    )
    body = _body(AccountFactory(), key) if change == "account" else _body(account, key, **change)
    response = client.post("/api/v1/payments", body, content_type="application/json")
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "idempotency.mismatch"
    assert "different request" in response.json()["detail"]
    assert CounterTransaction.objects.count() == 1 and Payment.objects.count() == 1


def test_the_service_scopes_keys_by_actor_and_refuses_a_changed_request(make_user):
    dale, erin = make_user("dale", "Cashier"), make_user("erin", "Cashier")
    account, key = AccountFactory(), uuid4()
    mine = post(open_session(dale, code="A1"), dale, (account, "10.00"), tenders=[cash("10.00")], key=key)
    theirs = post(open_session(erin, code="A2"), erin, (account, "10.00"), tenders=[cash("10.00")], key=key)
    assert mine.pk != theirs.pk and theirs.created_by == erin
    with pytest.raises(DomainError) as exc:
        transaction_post(
            lines=[Line(account.pk, Decimal("10.00"))],
            tenders=[cash("20.00")],  # same amount paid, different cash handed over
            actor=dale,
            session_id=mine.session_id,
            idempotency_key=key,
        )
    assert exc.value.code == "idempotency.mismatch" and mine.receipt_number in exc.value.message


def test_a_counter_form_posted_again_with_other_lines_is_refused_not_answered_with_the_old_receipt(
    role_clients,
):
    from payments.tests.factories import drawer
    from payments.tests.test_views import _form

    client = role_clients["Cashier"]
    client.post("/cashier/", {"drawer": drawer("V1").pk, "opening_float": "150.00"})
    first_account, other_account, key = AccountFactory(), AccountFactory(), str(uuid4())
    posted = client.post("/cashier/post/", _form(first_account, "10.00", "cash", "10.00", "post", key))
    assert posted.status_code == 302
    again = client.post("/cashier/post/", _form(other_account, "12.00", "cash", "12.00", "post", key))
    assert again.status_code == 200 and "already posted" in again.content.decode()
    assert CounterTransaction.objects.count() == 1
    other_account.refresh_from_db()
    assert other_account.balance == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_body", [True, False])
def test_concurrent_first_uses_of_one_key_never_answer_500(make_user, same_body):
    user = make_user("ivr", "Cashier")
    accounts = [AccountFactory(), AccountFactory()]
    key = uuid4()
    barrier = threading.Barrier(2)
    answers: list[tuple[int, dict]] = []

    def call(i: int) -> None:
        try:
            client = _api(user)
            account = accounts[0] if same_body else accounts[i]
            barrier.wait()
            r = client.post("/api/v1/payments", _body(account, key), content_type="application/json")
            answers.append((r.status_code, r.json() if r.status_code < 500 else {}))
        finally:
            connection.close()

    threads = [threading.Thread(target=call, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    statuses = sorted(s for s, _ in answers)
    assert CounterTransaction.objects.count() == 1 and Payment.objects.count() == 1
    if same_body:
        assert statuses == [201, 201]
        assert answers[0][1]["receipt_number"] == answers[1][1]["receipt_number"]
    else:
        assert statuses == [201, 409]


def test_file_keys_stay_shared_across_importers(make_user):
    """System keys (a lockbox item's external id) are not per caller: a second supervisor
    importing a later file with the same item still skips it."""
    from django.utils import timezone

    from payments.services.files import payment_file_import

    today = timezone.localdate()
    account = AccountFactory()
    grace, hank = make_user("grace", "Supervisor"), make_user("hank", "Supervisor")
    head = "external_id,account_number,amount,paid_on\n"
    payment_file_import(
        data=f"{head}LB-1,{account.number},5.00,{today}\n".encode(),
        file_name="a",
        source="lockbox",
        actor=grace,
    )
    later = payment_file_import(
        data=f"{head}LB-1,{account.number},5.00,{today}\nLB-2,{account.number},1.00,{today}\n".encode(),
        file_name="b",
        source="lockbox",
        actor=hank,
    )
    assert (later.posted, later.skipped) == (1, 1)


def test_tender_spec_fields_all_count_in_the_fingerprint():
    from payments.services.posting import request_fingerprint

    base = dict(lines=[Line(1, Decimal("5"))], session_id=None, payer_name="", business_date=None)
    one = request_fingerprint(
        tenders=[TenderSpec(kind="check", amount=Decimal("5"), check_number="1")], **base
    )
    same = request_fingerprint(
        tenders=[TenderSpec(kind="check", amount=Decimal("5.00"), check_number="1")], **base
    )
    other = request_fingerprint(
        tenders=[TenderSpec(kind="check", amount=Decimal("5"), check_number="2")], **base
    )
    assert one == same != other and len(one) == 64
