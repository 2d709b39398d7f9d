"""One item of each kind waiting for a supervisor, each made by its own app's real service."""

from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

from django.utils import timezone

from accounts.models import ReasonCode
from accounts.services.adjustments import adjustment_request
from accounts.tests.factories import AccountFactory, charge, fund
from collections_app.services.write_offs import write_off_request
from collections_app.tests.refund_setup import ask, in_credit
from collections_app.tests.test_write_offs import final, unreachable
from counseling.models import CreditAuthority
from counseling.services.arrangements import arrangement_propose
from payments.services.sessions import session_close
from payments.services.voids import transaction_void
from payments.tests.factories import cash, open_session, post

TODAY = timezone.localdate()


def adjustment(actor, amount: str = "-250.00"):  # type: ignore[no-untyped-def]
    return adjustment_request(
        account_id=AccountFactory().pk,
        fund_id=fund("WTR").pk,
        amount=Decimal(amount),
        reason_id=ReasonCode.objects.filter(kind="adjustment")[0].pk,
        note="goodwill credit",
        actor=actor,
        idempotency_key=uuid4(),
    )


def arrangement(counselor, total: str = "800.00"):  # type: ignore[no-untyped-def]
    CreditAuthority.objects.get_or_create(
        user=counselor, defaults={"max_amount": Decimal("500.00"), "max_months": 6}
    )
    account = AccountFactory()
    charge(account, total, due=TODAY - timedelta(days=20))
    return arrangement_propose(
        account_id=account.pk,
        counselor=counselor,
        down_payment=Decimal("0"),
        installments=4,
        reason="job loss",
        idempotency_key=uuid4(),
    )


def write_off(officer):  # type: ignore[no-untyped-def]
    account = final()
    charge(account, "180.00", due=TODAY - timedelta(days=150))
    unreachable(account, officer)
    return write_off_request(
        account_id=account.pk,
        criteria="debtor_not_found",
        reason="mail returned",
        actor=officer,
        idempotency_key=uuid4(),
    )


def refund(requester):  # type: ignore[no-untyped-def]
    return ask(in_credit("300.00"), requester, "300.00")


def drawer_and_void(cashier, code: str = "T01"):  # type: ignore[no-untyped-def]
    """A drawer closed $10.00 short (sign-off waits) and a receipt of it whose void waits."""
    session = open_session(cashier, code=code)
    account = AccountFactory()
    charge(account, "60.00", due=TODAY)
    txn = post(session, cashier, (account, "60.00"), tenders=[cash("60.00")])
    cents = (100 + 60 - 10) * 100  # float + takings, $10.00 short (over the $5.00 limit)
    closed = session_close(
        session_id=session.pk,
        cashier=cashier,
        denominations={"20": cents // 2000, "coin_0.01": cents % 2000},
        checks_total=Decimal("0"),
        check_count=0,
        cards_total=Decimal("0"),
        other_total=Decimal("0"),
    )
    transaction_void(transaction_id=txn.pk, reason="wrong account", actor=cashier)
    return closed, txn
