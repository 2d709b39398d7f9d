"""A payment's time of day is recorded and reaches the engine's facts (issue 12): under TX water a
payment received after 5 p.m. on the due date is late (rules.md §1.1 table, 16 TAC 24.165(b)).
The counter's time is when the cashier posted it; the API's and a lockbox file's is the time the
caller gives, else when posted, and only on the payment's own business date."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import AccountFactory
from collections_app.selectors.facts import facts_for_account, facts_for_accounts
from collections_app.tests.billing import bill
from common.tokens import token_issue
from payments.models import CounterTransaction, DrawerSession, Payment
from payments.services.files import payment_file_import
from payments.tests.factories import cash, open_session, post
from policy.selectors import current_policy
from policy.tests.helpers import use_policy
from policy_engine import amounts

pytestmark = pytest.mark.django_db


def _due_day() -> date:
    """A business day a week or more ago: the due date does not roll (16 TAC 24.165(b))."""
    policy, _ = current_policy()
    day = timezone.localdate() - timedelta(days=7)
    while not policy.calendar.is_business_day(day):
        day -= timedelta(days=1)
    return day


def _local(day: date, hh: int, mm: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hh, mm)))


def _counter_payment(account, cashier, due: date, hh: int, mm: int) -> Payment:  # type: ignore[no-untyped-def]
    session = DrawerSession.objects.filter(cashier=cashier, status="open").first() or open_session(cashier)
    DrawerSession.objects.filter(pk=session.pk).update(business_date=due)
    session.refresh_from_db()
    payment = post(session, cashier, (account, "100.00"), tenders=[cash("100.00")]).payments.get()
    # the cashier posted it at hh:mm on the due date (created_at is set when the row is made)
    Payment.objects.filter(pk=payment.pk).update(created_at=_local(due, hh, mm))
    return payment


def test_tx_water_counter_payment_after_5pm_on_the_due_date_is_late(make_user):
    use_policy("TX_PUC_WATER")
    cashier = make_user("cass", "Cashier")
    due = _due_day()
    late, on_time = AccountFactory(), AccountFactory()
    for account in (late, on_time):
        bill(account, "100.00", due=due, billed=due - timedelta(days=20))
    _counter_payment(late, cashier, due, 17, 30)
    _counter_payment(on_time, cashier, due, 16, 30)
    as_of = due + timedelta(days=3)
    facts = facts_for_accounts([late.pk, on_time.pk], as_of=as_of)
    assert [p.at for p in facts[late.pk].payments] == [time(17, 30)]
    assert [p.at for p in facts[on_time.pk].payments] == [time(16, 30)]
    assert facts[late.pk] == facts_for_account(late.pk, as_of=as_of), "one account reads as the list does"
    policy, _ = current_policy()
    fee = amounts.late_fee(policy, facts[late.pk], as_of)
    assert fee.amount == Decimal("5.00") and "after the 17:00 cutoff" in fee.reason
    assert amounts.late_fee(policy, facts[on_time.pk], as_of).amount == Decimal("0.00")


def test_api_payment_carries_the_time_the_customer_paid(make_user):
    ivr = make_user("ivr", "Cashier")
    client = Client(HTTP_AUTHORIZATION=f"Token {token_issue(user=ivr, name='IVR', actor=ivr)[1]}")
    account = AccountFactory()
    now = timezone.localtime()
    paid = now.replace(hour=0, minute=0, second=0, microsecond=0)  # always earlier today
    body = {
        "account_number": account.number,
        "amount": "20.00",
        "tender": "electronic",
        "reference": "WEB-1",
        "received_at": paid.isoformat(),
        "idempotency_key": str(uuid4()),
    }
    response = client.post("/api/v1/payments", body, content_type="application/json")
    assert response.status_code == 201, response.content
    payment = Payment.objects.get(account=account)
    assert payment.received_at == paid
    (fact,) = facts_for_account(account.pk, as_of=now.date()).payments
    assert fact.at == time(0, 0), "the time received, not the time posted"
    # the same key with another time is another request: refused, nothing posted twice
    again = client.post(
        "/api/v1/payments",
        {**body, "received_at": (paid + timedelta(minutes=1)).isoformat()},
        content_type="application/json",
    )
    assert again.status_code == 409


@pytest.mark.parametrize(
    "received_at",
    ["yesterday", "tomorrow", "not a time"],
)
def test_api_refuses_a_received_time_off_the_payment_date(make_user, received_at):
    ivr = make_user("ivr", "Cashier")
    client = Client(HTTP_AUTHORIZATION=f"Token {token_issue(user=ivr, name='IVR', actor=ivr)[1]}")
    account = AccountFactory()
    value = {
        "yesterday": (timezone.now() - timedelta(days=1)).isoformat(),
        "tomorrow": (timezone.now() + timedelta(days=1)).isoformat(),
    }.get(received_at, received_at)
    body = {
        "account_number": account.number,
        "amount": "20.00",
        "tender": "card",
        "card_last4": "4242",
        "auth_code": "A1",
        "received_at": value,
        "idempotency_key": str(uuid4()),
    }
    response = client.post("/api/v1/payments", body, content_type="application/json")
    assert response.status_code == 400
    assert "received" in response.content.decode()
    assert not CounterTransaction.objects.exists() and not Payment.objects.exists()


def test_lockbox_file_time_of_receipt_reaches_the_facts(make_user):
    supervisor = make_user("sue", "Supervisor")
    with_time, without = AccountFactory(), AccountFactory()
    day = timezone.localdate() - timedelta(days=2)
    data = (
        "external_id,account_number,amount,paid_on,reference,paid_at\n"
        f"X-1,{with_time.number},30.00,{day},CHK-1,17:45\n"
        f"X-2,{without.number},30.00,{day},CHK-2,\n"
    ).encode()
    payment_file_import(data=data, file_name="lockbox.csv", source="lockbox", actor=supervisor)
    facts = facts_for_accounts([with_time.pk, without.pk], as_of=timezone.localdate())
    assert [p.at for p in facts[with_time.pk].payments] == [time(17, 45)]
    # posted today for an earlier paid_on: no time of its own day is known, so on time for its day
    assert [p.at for p in facts[without.pk].payments] == [None]


def test_lockbox_file_with_a_bad_time_is_refused_whole(make_user):
    from common.exceptions import ImportRejected

    supervisor = make_user("sue", "Supervisor")
    account = AccountFactory()
    day = timezone.localdate() - timedelta(days=1)
    data = (
        f"external_id,account_number,amount,paid_on,paid_at\nX-9,{account.number},30.00,{day},5pm\n"
    ).encode()
    with pytest.raises(ImportRejected) as exc:
        payment_file_import(data=data, file_name="bad.csv", source="lockbox", actor=supervisor)
    assert "paid_at" in str(exc.value.errors)
    assert not Payment.objects.exists()
