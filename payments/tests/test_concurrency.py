"""Eight cashiers posting to the same few accounts at once: nothing lost, nothing doubled, and
balances, drawers, deposits and the GL journal reconcile to the cent."""

import random
import threading
from decimal import Decimal
from uuid import uuid4

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from accounts.models import Account, EntryKind, LedgerEntry
from accounts.tests.factories import AccountFactory, charge
from payments.models import CounterTransaction, Payment, PaymentDistribution
from payments.selectors import gl_journal
from payments.services.deposits import deposit_prepare
from payments.services.posting import Line, TenderSpec, transaction_post
from payments.services.sessions import session_close, session_expected
from payments.tests.factories import open_session

pytestmark = pytest.mark.django_db(transaction=True)
CASHIERS, POSTS = 8, 12


def test_eight_cashiers_racing_on_four_accounts_reconcile(make_user):
    today = timezone.localdate()
    accounts = [AccountFactory() for _ in range(4)]
    for a in accounts:
        charge(a, "150.00", due=today, code="WTR")
        charge(a, "75.00", due=today, code="SWR")
    cashiers = [make_user(f"c{i}", "Cashier") for i in range(CASHIERS)]
    sessions = [open_session(c, code=f"R{i}", float_="100.00") for i, c in enumerate(cashiers)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(CASHIERS)
    replayed = []

    def work(i: int) -> None:
        rng = random.Random(i)
        try:
            barrier.wait()
            for n in range(POSTS):
                picked = rng.sample(accounts, 2)
                lines = [Line(a.pk, Decimal(rng.randint(100, 5000)) / 100) for a in picked]
                total = sum(ln.amount for ln in lines)
                tenders = (
                    [TenderSpec(kind="cash", amount=total + Decimal("5.00"))]
                    if n % 2
                    else [TenderSpec(kind="check", amount=total, check_number=f"{i}-{n}")]
                )
                key = uuid4()
                txn = transaction_post(
                    lines=lines,
                    tenders=tenders,
                    actor=cashiers[i],
                    session_id=sessions[i].pk,
                    idempotency_key=key,
                )
                if n == 0:  # a double click: the same request again must not post twice
                    again = transaction_post(
                        lines=lines,
                        tenders=tenders,
                        actor=cashiers[i],
                        session_id=sessions[i].pk,
                        idempotency_key=key,
                    )
                    replayed.append(again.pk == txn.pk)
        except BaseException as exc:  # asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(CASHIERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert replayed == [True] * CASHIERS
    assert CounterTransaction.objects.count() == CASHIERS * POSTS
    assert Payment.objects.count() == CASHIERS * POSTS * 2

    # every account: balance == sum of entries == charges less its payments
    for a in Account.objects.filter(pk__in=[x.pk for x in accounts]):
        paid = Payment.objects.filter(account=a).aggregate(s=Sum("amount"))["s"]
        entries = LedgerEntry.objects.filter(account=a).aggregate(s=Sum("amount"))["s"]
        assert a.balance == entries == Decimal("225.00") - paid
    # every payment: its distribution sums to it and ties to its ledger entries
    for p in Payment.objects.prefetch_related("distribution__entry"):
        assert sum(d.amount for d in p.distribution.all()) == p.amount
        assert all(d.entry.amount == -d.amount for d in p.distribution.all())
    # every drawer: counted exactly what it should hold => balanced; deposits add up
    deposit_total = Decimal(0)
    for cashier, session in zip(cashiers, sessions, strict=True):
        expected = session_expected(session=session)
        taken = CounterTransaction.objects.filter(session=session).aggregate(s=Sum("total"))["s"]
        assert expected.cash - Decimal("100.00") + expected.checks == taken
        cents = int(expected.cash * 100)
        closed = session_close(
            session_id=session.pk,
            cashier=cashier,
            denominations={"1": cents // 100, "coin_0.01": cents % 100},
            checks_total=expected.checks,
            check_count=expected.check_count,
            cards_total=Decimal(0),
            other_total=Decimal(0),
        )
        assert closed.over_short == 0
        deposit_total += expected.cash - Decimal("100.00") + expected.checks
    deposit = deposit_prepare(session_ids=[s.pk for s in sessions], actor=make_user("boss", "Supervisor"))
    all_payments = Payment.objects.aggregate(s=Sum("amount"))["s"]
    assert deposit.total == deposit_total == all_payments
    # the GL journal ties to the payments and to the ledger's payment entries
    journal = gl_journal(day=today)
    assert sum(r.net for r in journal) == all_payments
    assert -LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).aggregate(s=Sum("amount"))["s"] == all_payments
    assert PaymentDistribution.objects.aggregate(s=Sum("amount"))["s"] == all_payments
