"""Who may void a receipt, and nobody approves their own request (voids, drawer sign-off)."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from accounts.tests.factories import AccountFactory
from common.exceptions import DomainError
from payments.models import PaymentStatus, SessionStatus
from payments.services.sessions import session_close, session_signoff
from payments.services.voids import transaction_void
from payments.tests.factories import cash, open_session, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def cashier(make_user):
    return make_user("dale", "Cashier")


@pytest.fixture
def receipt(cashier):
    session = open_session(cashier)
    return post(session, cashier, (AccountFactory(), "25.00"), tenders=[cash("25.00")])


def _close(session, cashier, cash_total: str):  # type: ignore[no-untyped-def]
    cents = int(Decimal(cash_total) * 100)
    return session_close(
        session_id=session.pk,
        cashier=cashier,
        denominations={"20": cents // 2000, "coin_0.01": cents % 2000},
        checks_total=Decimal(0),
        check_count=0,
        cards_total=Decimal(0),
        other_total=Decimal(0),
    )


@pytest.mark.parametrize(("username", "role"), [("colin", "Collections officer"), ("eve", "Cashier")])
def test_only_the_receipts_cashier_or_a_supervisor_may_ask_to_void_it(make_user, receipt, username, role):
    other = make_user(username, role)
    with pytest.raises(DomainError, match="Only the cashier who took this receipt, or a supervisor"):
        transaction_void(transaction_id=receipt.pk, reason="not mine", actor=other)
    payment = receipt.payments.get()
    assert payment.status == PaymentStatus.POSTED and payment.void_requested_by is None


def test_a_collections_officer_gets_403_and_the_receipt_page_offers_no_void(make_user, receipt, client):
    client.force_login(make_user("colin", "Collections officer"))
    url = f"/cashier/receipts/{receipt.receipt_number}/"
    page = client.get(url)
    assert page.status_code == 200 and "Void receipt" not in page.content.decode()
    refused = client.post(f"{url}void/", {"reason": "customer asked"})
    assert refused.status_code == 403
    assert "Only the cashier who took this receipt, or a supervisor, can void it." in refused.content.decode()
    assert receipt.payments.get().status == PaymentStatus.POSTED


def test_the_receipts_cashier_and_a_supervisor_are_offered_the_void(make_user, cashier, receipt, client):
    for user in (cashier, make_user("grace", "Supervisor")):
        client.force_login(user)
        assert "Void receipt" in client.get(f"/cashier/receipts/{receipt.receipt_number}/").content.decode()


def test_a_supervisors_own_receipt_waits_for_another_supervisor(make_user):
    # One person holding both roles took the payment: past the same-day window their void is a request.
    both = make_user("sam", "Cashier", "Supervisor")
    session = open_session(both)
    txn = post(session, both, (AccountFactory(), "40.00"), tenders=[cash("40.00")])
    _close(session, both, "140.00")
    transaction_void(transaction_id=txn.pk, reason="duplicate", actor=both)
    assert txn.payments.get().status == PaymentStatus.VOID_PENDING
    with pytest.raises(DomainError, match="A second person must approve the void of a receipt you took"):
        transaction_void(transaction_id=txn.pk, reason="approve", actor=both)
    assert txn.payments.get().status == PaymentStatus.VOID_PENDING
    transaction_void(transaction_id=txn.pk, reason="approved", actor=make_user("grace", "Supervisor"))
    assert txn.payments.get().status == PaymentStatus.VOIDED


def test_nobody_approves_a_void_they_requested(make_user, cashier, receipt, client):
    _close(receipt.session, cashier, "125.00")
    transaction_void(transaction_id=receipt.pk, reason="duplicate", actor=cashier)
    cashier.groups.add(Group.objects.get(name="Supervisor"))  # promoted while the request waits
    cashier = type(cashier).objects.get(pk=cashier.pk)  # drop the cached permissions
    with pytest.raises(DomainError, match="A second person must approve the void of a receipt you took"):
        transaction_void(transaction_id=receipt.pk, reason="approved", actor=cashier)
    assert receipt.payments.get().status == PaymentStatus.VOID_PENDING
    client.force_login(cashier)
    page = client.get("/cashier/sessions/").content.decode()
    assert receipt.receipt_number in page and "Your request: another supervisor approves." in page
    client.force_login(make_user("grace", "Supervisor"))
    page = client.get("/cashier/sessions/").content.decode()
    assert "Approve void" in page and "Your request" not in page


def test_nobody_signs_off_their_own_drawer(make_user, client):
    both = make_user("sam", "Cashier", "Supervisor")
    session = open_session(both)
    short = _close(session, both, "90.00")
    assert short.status == SessionStatus.PENDING_SIGNOFF
    with pytest.raises(DomainError, match="Another supervisor must sign off your own drawer"):
        session_signoff(session_id=session.pk, supervisor=both, reason="miscount")
    client.force_login(both)
    page = client.get("/cashier/sessions/").content.decode()
    assert "Your drawer: another supervisor signs off." in page
    assert f"/cashier/sessions/{session.pk}/signoff/" not in page
    other = make_user("grace", "Supervisor")
    assert session_signoff(session_id=session.pk, supervisor=other, reason="miscount").signed_off_by == other
