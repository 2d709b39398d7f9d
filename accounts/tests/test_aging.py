from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import EntryKind, LedgerEntry
from accounts.selectors.aging import aging_for_account, aging_for_all, aging_totals
from accounts.selectors.open_items import open_items
from accounts.services.ledger import EntrySpec, ledger_sum
from accounts.tests.factories import AccountFactory, charge, fund, pay, post

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 11, 22)


def test_credits_settle_the_oldest_charges_first():
    account = AccountFactory()
    charge(account, "100.00", due=AS_OF - timedelta(days=95))  # 91-120
    charge(account, "80.00", due=AS_OF - timedelta(days=40))  # 31-60
    charge(account, "60.00", due=AS_OF + timedelta(days=5))  # not yet due
    pay(account, "130.00", on=AS_OF - timedelta(days=3))
    aging = aging_for_account(account_id=account.pk, as_of=AS_OF)
    assert (aging.d91_120, aging.d31_60, aging.current) == (
        Decimal("0.00"),
        Decimal("50.00"),
        Decimal("60.00"),
    )
    assert aging.balance == Decimal("110.00") == account.balance


def test_same_due_date_settles_by_fund_priority():
    account = AccountFactory()
    due = AS_OF - timedelta(days=10)
    charge(account, "40.00", due=due, code="SWR")  # priority 20
    charge(account, "40.00", due=due, code="WTR")  # priority 10: settled first
    pay(account, "50.00", on=AS_OF)
    items = open_items(account_id=account.pk, as_of=AS_OF)
    assert [(i.fund_id, i.unpaid) for i in items] == [(fund("SWR").pk, Decimal("30.00"))]


def test_credit_balance_sits_in_current_as_a_negative():
    account = AccountFactory()
    charge(account, "20.00", due=AS_OF - timedelta(days=200))
    pay(account, "50.00", on=AS_OF - timedelta(days=1))
    aging = aging_for_account(account_id=account.pk, as_of=AS_OF)
    assert aging.current == Decimal("-30.00") and aging.past_due == 0 and aging.balance == Decimal("-30.00")


def test_a_reversed_payment_reopens_the_old_charges_at_their_old_age():
    account = AccountFactory()
    charge(account, "75.00", due=AS_OF - timedelta(days=70))
    pay(account, "75.00", on=AS_OF - timedelta(days=65))
    payment = LedgerEntry.objects.get(account=account, kind=EntryKind.PAYMENT)
    post(
        account,
        EntrySpec(
            fund_id=payment.fund_id,
            kind=EntryKind.PAYMENT_REVERSAL,
            amount=Decimal("75.00"),
            effective_date=AS_OF - timedelta(days=2),
            reversal_of=payment,
        ),
    )
    aging = aging_for_account(account_id=account.pk, as_of=AS_OF)
    assert aging.d61_90 == Decimal("75.00") and aging.current == 0


def test_entries_after_the_as_of_date_are_ignored():
    account = AccountFactory()
    charge(account, "10.00", due=AS_OF + timedelta(days=30), billed=AS_OF + timedelta(days=9))
    assert aging_for_account(account_id=account.pk, as_of=AS_OF).balance == 0


def test_set_based_aging_matches_per_account_and_totals():
    accounts = [AccountFactory() for _ in range(4)]
    for i, account in enumerate(accounts):
        charge(account, f"{30 + i}.00", due=AS_OF - timedelta(days=25 * i + 1))
        charge(account, "12.34", due=AS_OF + timedelta(days=3), code="SLW")
        if i % 2:
            pay(account, "20.00", on=AS_OF - timedelta(days=1))
    everyone = aging_for_all(as_of=AS_OF)
    for account in accounts:
        assert everyone[account.pk] == aging_for_account(account_id=account.pk, as_of=AS_OF)
    totals = aging_totals(as_of=AS_OF)
    assert totals.balance == sum(a.balance for a in everyone.values())
    assert totals.d1_30 == sum(a.d1_30 for a in everyone.values())


money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("500.00"), places=2)
event = st.one_of(
    st.tuples(st.just("charge"), money, st.integers(-200, 40), st.sampled_from(["WTR", "SWR", "SLW", "FEE"])),
    st.tuples(st.just("pay"), money, st.integers(-200, 0), st.sampled_from(["WTR", "SWR", "CR"])),
    st.tuples(st.just("reverse"), st.just(Decimal(0)), st.integers(-100, 0), st.just("")),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=st.lists(event, min_size=1, max_size=14))
def test_buckets_always_sum_to_the_balance(events):
    with transaction.atomic():
        account = AccountFactory()
        for kind, amount, offset, code in events:
            day = AS_OF + timedelta(days=offset)
            if kind == "charge":
                charge(account, str(amount), due=day + timedelta(days=21), billed=min(day, AS_OF), code=code)
            elif kind == "pay":
                pay(account, str(amount), on=min(day, AS_OF), code=code)
            else:  # reverse the newest payment not yet reversed, as a returned check would
                original = (
                    LedgerEntry.objects.filter(
                        account=account, kind=EntryKind.PAYMENT, reversals__isnull=True
                    )
                    .order_by("-id")
                    .first()
                )
                if original is not None:
                    post(
                        account,
                        EntrySpec(
                            fund_id=original.fund_id,
                            kind=EntryKind.PAYMENT_REVERSAL,
                            amount=-original.amount,
                            effective_date=AS_OF,
                            reversal_of=original,
                        ),
                    )
        aging = aging_for_account(account_id=account.pk, as_of=AS_OF)
        buckets = [aging.current, aging.d1_30, aging.d31_60, aging.d61_90, aging.d91_120, aging.d120_plus]
        assert sum(buckets) == aging.balance == ledger_sum(account.pk) == account.balance
        assert all(b >= 0 for b in buckets[1:]), "past-due buckets are never negative"
        if aging.balance >= 0:
            assert aging.current >= 0
        else:  # a credit balance means nothing is past due
            assert aging.past_due == 0
        unpaid = sum((i.unpaid for i in open_items(account_id=account.pk, as_of=AS_OF)), Decimal(0))
        assert unpaid == max(aging.balance, Decimal(0))
        transaction.set_rollback(True)
