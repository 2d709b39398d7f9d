"""A payment moved to another account (misapplied) has its entries reversed already: a void or a
returned item afterwards must be refused with a clear message, never a 500 from the ledger's
"an entry is reversed once" constraint, and must leave nothing behind. Found by the money model
(collections_app/tests/test_money_model.py)."""

from uuid import uuid4

import pytest
from django.utils import timezone

from accounts.models import LedgerEntry, ReasonCode
from accounts.services.transfers import payment_transfer
from accounts.tests.factories import AccountFactory
from common.exceptions import DomainError
from common.models import AuditEvent
from payments.models import PaymentStatus
from payments.services.returns import tender_return
from payments.services.voids import transaction_void
from payments.tests.factories import check, open_session, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def moved(make_user):  # type: ignore[no-untyped-def]
    cashier, supervisor = make_user("dale", "Cashier"), make_user("sue", "Supervisor")
    wrong, right = AccountFactory(), AccountFactory()
    txn = post(open_session(cashier), cashier, (wrong, "20.00"), tenders=[check("20.00")])
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
    return cashier, supervisor, txn


def _trace() -> tuple[int, int]:
    return LedgerEntry.objects.count(), AuditEvent.objects.count()


@pytest.mark.parametrize("who", ["cashier", "supervisor"])
def test_a_moved_payment_cannot_be_voided_and_nothing_is_written(moved, who):  # type: ignore[no-untyped-def]
    cashier, supervisor, txn = moved
    before = _trace()
    with pytest.raises(DomainError, match="moved to another account") as refused:
        transaction_void(
            transaction_id=txn.pk, reason="wrong", actor=cashier if who == "cashier" else supervisor
        )
    assert refused.value.code == "void.moved"
    assert _trace() == before
    assert txn.payments.get().status == PaymentStatus.POSTED


def test_a_returned_check_of_a_moved_payment_is_refused_and_nothing_is_written(moved):  # type: ignore[no-untyped-def]
    _cashier, supervisor, txn = moved
    before = _trace()
    with pytest.raises(DomainError, match="moved to another"):
        tender_return(
            tender_id=txn.tenders.get().pk,
            returned_on=timezone.localdate(),
            reason="NSF",
            actor=supervisor,
            idempotency_key=uuid4(),
        )
    assert _trace() == before


def test_a_return_form_key_used_for_another_item_never_answers_with_that_items_return(make_user):  # type: ignore[no-untyped-def]
    cashier, supervisor = make_user("dale", "Cashier"), make_user("sue", "Supervisor")
    session = open_session(cashier)
    first = post(session, cashier, (AccountFactory(), "20.00"), tenders=[check("20.00", "1")])
    second = post(session, cashier, (AccountFactory(), "30.00"), tenders=[check("30.00", "2")])
    key = uuid4()
    kwargs = dict(returned_on=timezone.localdate(), reason="NSF", actor=supervisor, idempotency_key=key)
    item = tender_return(tender_id=first.tenders.get().pk, **kwargs)
    assert tender_return(tender_id=first.tenders.get().pk, **kwargs) == item  # a replay
    with pytest.raises(DomainError, match="already used for another item"):
        tender_return(tender_id=second.tenders.get().pk, **kwargs)
    assert second.payments.get().status == PaymentStatus.POSTED
