"""The receipt page offers *Returned by the bank* exactly where the return service will take it:
never beside cash or a card, never for a check whose payment was since moved to another account;
the service still refuses whatever is posted regardless."""

from decimal import Decimal
from uuid import uuid4

import pytest
from django.utils import timezone

from accounts.models import ReasonCode
from accounts.services.transfers import payment_transfer
from accounts.tests.factories import AccountFactory
from conftest import ROLE_NAMES
from payments.models import ReturnedItem
from payments.services.posting import TenderSpec
from payments.tests.factories import check, open_session, post

pytestmark = pytest.mark.django_db
CASHIER, SUPERVISOR = ROLE_NAMES[1], ROLE_NAMES[3]
TODAY = timezone.localdate()

TENDERS = {
    "cash": TenderSpec(kind="cash", amount=Decimal("20.00")),
    "check": check("20.00", "3131"),
    "card": TenderSpec(kind="card", amount=Decimal("20.00"), card_last4="4242", auth_code="A1B2"),
    "money_order": TenderSpec(kind="money_order", amount=Decimal("20.00"), reference="MO77"),
    "cashiers_check": TenderSpec(kind="cashiers_check", amount=Decimal("20.00"), reference="CC88"),
}


def _return(client, tender) -> str:  # type: ignore[no-untyped-def]
    form = {"returned_on": TODAY.isoformat(), "reason": "NSF", "idempotency_key": str(uuid4())}
    return client.post(f"/cashier/tenders/{tender.pk}/return/", form, follow=True).content.decode()


@pytest.mark.parametrize("kind", list(TENDERS))
def test_the_offer_is_made_exactly_where_the_service_takes_the_return(role_clients, django_user_model, kind):
    cashier = django_user_model.objects.get(username="cashier")
    txn = post(open_session(cashier), cashier, (AccountFactory(), "20.00"), tenders=[TENDERS[kind]])
    tender = txn.tenders.get()
    client = role_clients[SUPERVISOR]
    page = client.get(f"/cashier/receipts/{txn.receipt_number}/").content.decode()
    offered = "Returned by the bank" in page
    assert offered == (kind in ("check", "money_order", "cashiers_check")), kind
    assert "Not returnable here" not in page, "cash and cards are never returnable: nothing to explain"
    _return(client, tender)
    assert ReturnedItem.objects.filter(tender=tender).exists() == offered


def test_a_check_whose_payment_was_moved_is_not_offered_and_says_why(role_clients, django_user_model):
    cashier = django_user_model.objects.get(username="cashier")
    supervisor = django_user_model.objects.get(username="supervisor")
    wrong, right = AccountFactory(), AccountFactory()
    txn = post(open_session(cashier), cashier, (wrong, "20.00"), tenders=[check("20.00", "5150")])
    payment_transfer(
        from_account_id=wrong.pk,
        reference=txn.receipt_number,
        paid_on=txn.business_date,
        to_account_number=right.number,
        reason_id=ReasonCode.objects.filter(kind="transfer").first().pk,
        note="paid on the neighbour's account",
        actor=supervisor,
        idempotency_key=uuid4(),
    )
    client = role_clients[SUPERVISOR]
    page = client.get(f"/cashier/receipts/{txn.receipt_number}/").content.decode()
    tender = txn.tenders.get()
    assert "Returned by the bank" not in page and f"/cashier/tenders/{tender.pk}/return/" not in page
    assert "Not returnable here: Part of what this check no. 5150 paid was already reversed" in page
    refused = _return(client, tender)  # the server refuses it all the same
    assert "already reversed (moved to another account)" in refused and not ReturnedItem.objects.exists()


def test_the_return_date_is_bounded_in_the_form_as_on_the_server(role_clients, django_user_model):
    cashier = django_user_model.objects.get(username="cashier")
    txn = post(open_session(cashier), cashier, (AccountFactory(), "20.00"), tenders=[check("20.00")])
    page = role_clients[CASHIER].get(f"/cashier/receipts/{txn.receipt_number}/").content.decode()
    day = txn.business_date.isoformat()
    assert f'min="{day}" max="{TODAY.isoformat()}" required' in page
