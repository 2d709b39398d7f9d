"""Accounts in credit and card payments for the refund tests."""

from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

from django.utils import timezone

from accounts.models import Account, EntryKind
from accounts.services.ledger import EntrySpec, ledger_sum
from accounts.tests.factories import AccountFactory, charge, fund, pay, post
from collections_app.models.refunds import Refund, RefundMethod
from collections_app.services.refunds import refund_request
from payments.services.posting import TenderSpec
from payments.tests.factories import open_session
from payments.tests.factories import post as pay_at_counter

PAST = timezone.localdate() - timedelta(days=60)


def in_credit(amount: str, *, status: str = "final", **kw) -> Account:  # type: ignore[no-untyped-def]
    """An account whose overpayment waits on the customer-credit fund (as the counter leaves it)."""
    account = AccountFactory(status=status, **kw)
    charge(account, "40.00", due=PAST)
    pay(account, "40.00", on=PAST)
    post(
        account,
        EntrySpec(
            fund_id=fund("CR").pk, kind=EntryKind.PAYMENT, amount=-Decimal(amount), effective_date=PAST
        ),
    )
    return account


def card_payment(cashier, account: Account, amount: str, last4: str = "4242"):  # type: ignore[no-untyped-def]
    session = open_session(cashier)
    return pay_at_counter(
        session,
        cashier,
        (account, amount),
        tenders=[TenderSpec(kind="card", amount=Decimal(amount), card_last4=last4, auth_code="A1")],
    )


def assert_invariant(*accounts: Account) -> None:
    for a in accounts:
        a.refresh_from_db()
        assert a.balance == ledger_sum(a.pk), a.number


def ask(account: Account, actor, amount: str, method: str = RefundMethod.CHECK, key=None) -> Refund:  # type: ignore[no-untyped-def]
    return refund_request(
        account_id=account.pk,
        amount=Decimal(amount),
        method=method,
        reason="Overpaid, moved away",
        actor=actor,
        idempotency_key=key or uuid4(),
    )
