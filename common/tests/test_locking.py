"""common.locking.rows_lock: the hot paths' row locks, written once per model."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import Account
from accounts.tests.factories import AccountFactory
from common.locking import rows_lock
from payments.models import DrawerSession
from payments.tests.factories import open_session

pytestmark = pytest.mark.django_db


def test_rows_lock_makes_the_instances_a_queryset_makes_in_key_order(make_user):
    accounts = sorted((AccountFactory() for _ in range(3)), key=lambda a: -a.pk)
    session = open_session(make_user("dale", "Cashier"))
    DrawerSession.objects.filter(pk=session.pk).update(counted_denominations={"20": 3, "coin_0.25": 4})
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        locked = rows_lock(Account, [a.pk for a in accounts] + [-1])  # -1: no such row, left out
        drawers = rows_lock(DrawerSession, [session.pk])
    assert list(locked) == sorted(a.pk for a in accounts)
    for pk, account in locked.items():
        expected = Account.objects.get(pk=pk)
        assert {f.attname: getattr(account, f.attname) for f in Account._meta.concrete_fields} == {
            f.attname: getattr(expected, f.attname) for f in Account._meta.concrete_fields
        }
        assert not account._state.adding and account._state.db == "default"
    # a JSONField goes through its converter, as through a queryset: a dict, not its text
    assert drawers[session.pk].counted_denominations == {"20": 3, "coin_0.25": 4}
    assert drawers[session.pk].opening_float == session.opening_float
    sql = [q["sql"] for q in ctx.captured_queries if "FOR NO KEY UPDATE" in q["sql"]]
    assert len(sql) == 2 and all("ORDER BY" in s for s in sql)


def test_rows_insert_writes_what_bulk_create_writes():
    from datetime import date
    from decimal import Decimal

    from accounts.models import EntryKind, Fund, LedgerEntry
    from common.locking import rows_insert

    account, fund = AccountFactory(), Fund.objects.get(code="WTR")

    def entries(tag: str) -> list[LedgerEntry]:
        return [
            LedgerEntry(account=account, fund=fund, kind=EntryKind.PAYMENT, amount=Decimal(f"-{n}.05"),
                        is_debit=False, effective_date=date(2026, 3, 1), reference=f"R{n}",
                        idempotency_key=f"{tag}:{n}")
            for n in (1, 2, 3)
        ]  # fmt: skip

    ours, django_s = rows_insert(entries("ours")), LedgerEntry.objects.bulk_create(entries("theirs"))
    assert all(e.pk and not e._state.adding for e in ours)
    assert [e.pk for e in ours] == sorted(e.pk for e in ours), "keys in the order given"
    skip = {"id", "created_at", "idempotency_key"}
    for mine, theirs in zip(ours, django_s, strict=True):
        stored = LedgerEntry.objects.filter(pk=mine.pk).values().get()
        assert stored["created_at"] is not None and stored["idempotency_key"] == mine.idempotency_key
        assert {k: v for k, v in stored.items() if k not in skip} == {
            k: v for k, v in LedgerEntry.objects.filter(pk=theirs.pk).values().get().items() if k not in skip
        }
    assert rows_insert([]) == []
