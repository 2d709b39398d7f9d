"""Two people record the same bounced check at once, and a void races the return: one wins,
the other is told why, and the money moves exactly once."""

import threading
from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import EntryKind, LedgerEntry
from accounts.services.ledger import ledger_sum
from accounts.tests.factories import AccountFactory, charge
from common.exceptions import DomainError
from payments.models import PaymentStatus, ReturnedItem
from payments.services.returns import tender_return
from payments.services.voids import transaction_void
from payments.tests.factories import cash, check, open_session, post

pytestmark = pytest.mark.django_db(transaction=True)
TODAY = timezone.localdate()


def _race(*calls):  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            barrier.wait()
            outcomes[i] = calls[i]()
        except DomainError as exc:
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_the_same_check_returned_twice_at_once_is_recorded_once(make_user):
    cashier, collector = make_user("dale", "Cashier"), make_user("cole", "Collections officer")
    a, b = AccountFactory(), AccountFactory()
    charge(a, "40.00", due=TODAY - timedelta(days=30))
    charge(b, "145.51", due=TODAY - timedelta(days=30))
    txn = post(
        open_session(cashier), cashier, (a, "40.00"), (b, "145.51"), tenders=[cash("120.00"), check("65.51")]
    )
    chk = txn.tenders.get(kind="check")

    def ret(actor):  # type: ignore[no-untyped-def]
        return lambda: tender_return(
            tender_id=chk.pk, returned_on=TODAY, reason="NSF", actor=actor, idempotency_key=uuid4()
        )

    outcomes = _race(ret(cashier), ret(collector))
    assert sum(isinstance(o, ReturnedItem) for o in outcomes) == 1
    assert any(isinstance(o, DomainError) and "already recorded" in o.message for o in outcomes)
    assert sum(e.amount for e in LedgerEntry.objects.filter(kind=EntryKind.PAYMENT_REVERSAL)) == Decimal(
        "65.51"
    )
    assert LedgerEntry.objects.filter(kind=EntryKind.FEE).count() == 1
    for account in (a, b):
        account.refresh_from_db()
        assert account.balance == ledger_sum(account.pk)


def test_a_void_racing_a_return_leaves_one_of_them(make_user):
    cashier = make_user("dale", "Cashier")
    account = AccountFactory()
    charge(account, "50.00", due=TODAY - timedelta(days=30))
    txn = post(open_session(cashier), cashier, (account, "50.00"), tenders=[check("50.00")])
    chk = txn.tenders.get()
    outcomes = _race(
        lambda: tender_return(
            tender_id=chk.pk, returned_on=TODAY, reason="NSF", actor=cashier, idempotency_key=uuid4()
        ),
        lambda: transaction_void(transaction_id=txn.pk, reason="wrong account", actor=cashier),
    )
    assert sum(isinstance(o, DomainError) for o in outcomes) == 1, outcomes
    status = txn.payments.get().status
    assert status in (PaymentStatus.RETURNED, PaymentStatus.VOIDED)
    reversals = LedgerEntry.objects.filter(kind=EntryKind.PAYMENT_REVERSAL)
    assert sum(e.amount for e in reversals) == Decimal("50.00"), "reversed exactly once"
    account.refresh_from_db()
    assert account.balance == ledger_sum(account.pk)
