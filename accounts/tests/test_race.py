"""Two sessions racing on one account: no lost update, balance equals the sum of entries."""

import threading
from decimal import Decimal
from uuid import uuid4

import pytest
from django.db import connection

from accounts.models import Account, LedgerEntry, ReasonCode
from accounts.services.adjustments import adjustment_request
from accounts.services.ledger import ledger_sum
from accounts.services.transfers import payment_transfer
from accounts.tests.factories import AccountFactory, fund, pay
from policy.tests.helpers import use_policy

pytestmark = pytest.mark.django_db(transaction=True)


def _run_in_threads(n: int, work) -> list[BaseException]:  # type: ignore[no-untyped-def]
    errors: list[BaseException] = []
    barrier = threading.Barrier(n)

    def target(i: int) -> None:
        try:
            barrier.wait()
            work(i)
        except BaseException as exc:  # collected and asserted on by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return errors


def test_concurrent_adjustments_on_one_account_lose_nothing(make_user):
    supervisor = make_user("grace", "Supervisor")
    account = AccountFactory()
    reason = ReasonCode.objects.filter(kind="adjustment").first()
    shared_key = uuid4()

    def work(i: int) -> None:
        for j in range(10):
            adjustment_request(
                account_id=account.pk,
                fund_id=fund("WTR").pk,
                amount=Decimal(f"{i + 1}.{j:02d}"),
                reason_id=reason.pk,
                note="race",
                actor=supervisor,
                idempotency_key=uuid4(),
            )
        # Both sessions also replay the same request: it must post exactly once.
        adjustment_request(
            account_id=account.pk,
            fund_id=fund("WTR").pk,
            amount=Decimal("7.00"),
            reason_id=reason.pk,
            note="replayed",
            actor=supervisor,
            idempotency_key=shared_key,
        )

    assert _run_in_threads(2, work) == []
    account.refresh_from_db()
    expected = sum(Decimal(f"{i + 1}.{j:02d}") for i in range(2) for j in range(10)) + Decimal("7.00")
    assert account.balance == expected == ledger_sum(account.pk)
    assert LedgerEntry.objects.filter(account=account).count() == 21


def test_transfers_racing_in_opposite_directions_do_not_deadlock(make_user):
    cashier = make_user("dale", "Cashier")
    a, b = AccountFactory(), AccountFactory()
    for i in range(5):
        pay(a, "10.00", on=a.opened_on, reference=f"A{i}")
        pay(b, "10.00", on=b.opened_on, reference=f"B{i}")
    reason = ReasonCode.objects.filter(kind="transfer").first()

    def work(i: int) -> None:
        src, dst, prefix = (a, b, "A") if i == 0 else (b, a, "B")
        for k in range(5):
            payment_transfer(
                from_account_id=src.pk,
                reference=f"{prefix}{k}",
                paid_on=src.opened_on,
                to_account_number=dst.number,
                reason_id=reason.pk,
                note="race",
                actor=cashier,
                idempotency_key=uuid4(),
            )

    assert _run_in_threads(2, work) == []
    for account in Account.objects.filter(pk__in=[a.pk, b.pk]):
        assert account.balance == ledger_sum(account.pk) == Decimal("-50.00")


def test_two_small_adjustments_at_once_cannot_both_slip_under_the_limit(make_user, settings):
    use_policy(adjustments__approval_limit="100.00")
    carmen, colin = make_user("carmen", "Counselor"), make_user("colin", "Collections officer")
    account = AccountFactory()
    reason = ReasonCode.objects.filter(kind="adjustment").first()

    def work(i: int) -> None:
        adjustment_request(
            account_id=account.pk,
            fund_id=fund("WTR").pk,
            amount=Decimal("-60.00"),
            reason_id=reason.pk,
            note="split credit",
            actor=(carmen, colin)[i],
            idempotency_key=uuid4(),
        )

    assert _run_in_threads(2, work) == []
    # The account's row lock orders the two: the second counts the first ($120 > $100) and waits.
    assert sorted(account.adjustments.values_list("status", flat=True)) == ["pending", "posted"]
    account.refresh_from_db()
    assert account.balance == Decimal("-60.00") == ledger_sum(account.pk)
