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
