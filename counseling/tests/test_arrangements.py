from datetime import date, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.models import AccountStatus
from accounts.tests.factories import AccountFactory, charge
from common.exceptions import DomainError
from counseling.models import (
    Arrangement,
    ArrangementStatus,
    CreditAuthority,
    InstallmentPayment,
    InstallmentStatus,
    Letter,
)
from counseling.services.arrangements import (
    arrangement_cancel,
    arrangement_decide,
    arrangement_propose,
    eligibility,
    next_due_dates,
    schedule,
)
from payments.services.returns import tender_return
from payments.services.voids import transaction_void
from payments.tests.factories import cash, check, open_session, post
from policy.tests.helpers import use_policy

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _policy(db):
    """The exclusions these tests exercise, as a utility's policy version sets them (rules.md §1.5:
    St. George one per year; Phoenix: not after a returned payment or a final bill)."""
    use_policy(
        "DEFAULT",
        arrangements__per_year_limit=1,
        arrangements__exclude_if_last_payment_returned=True,
        arrangements__exclude_if_final_billed=True,
    )


@pytest.fixture
def counselor(make_user):
    user = make_user("carmen", "Counselor")
    CreditAuthority.objects.create(user=user, max_amount=Decimal("500.00"), max_months=6)
    return user


def _owing(amount: str = "300.00", **kw):  # type: ignore[no-untyped-def]
    account = AccountFactory(**kw)
    charge(account, amount, due=TODAY - timedelta(days=20))
    return account


def _propose(account, counselor, *, down="0", n=3, key=None):  # type: ignore[no-untyped-def]
    return arrangement_propose(
        account_id=account.pk,
        counselor=counselor,
        down_payment=Decimal(down),
        installments=n,
        reason="job loss",
        idempotency_key=key or uuid4(),
    )


def _failed(account) -> set[str]:  # type: ignore[no-untyped-def]
    return {c.code for c in eligibility(account=account, today=TODAY) if not c.passed}


def test_an_ordinary_account_is_eligible_and_each_rule_says_why(counselor):
    checks = eligibility(account=_owing(), today=TODAY)
    assert all(c.passed for c in checks)
    assert {c.code for c in checks} == {"balance", "one_open", "term"}
    assert "up to 12 months" in next(c.reason for c in checks if c.code == "term")


def test_no_arrangement_after_a_final_bill(counselor):
    assert _failed(_owing(status=AccountStatus.FINAL)) == {"final_bill"}


def test_no_arrangement_without_a_balance(counselor):
    assert _failed(AccountFactory()) == {"balance"}


def test_one_open_arrangement_at_a_time_and_one_per_year(counselor):
    account = _owing()
    arr = _propose(account, counselor)
    assert "one_open" in _failed(account)
    arrangement_cancel(arrangement_id=arr.pk, reason="customer paid in full instead", actor=counselor)
    # cancelled: no longer open, but an active one was made this year
    Arrangement.objects.filter(pk=arr.pk).update(status=ArrangementStatus.KEPT)
    assert _failed(account) == {"per_year"}


def test_none_within_six_months_of_a_broken_one(counselor):
    account = _owing()
    Arrangement.objects.create(
        account=account,
        counselor=counselor,
        status=ArrangementStatus.BROKEN,
        total=Decimal("100"),
        installment_count=2,
        months=2,
        reason="x",
        ended_on=TODAY - timedelta(days=100),
        idempotency_key="old",
    )
    Arrangement.objects.filter(idempotency_key="old").update(created_at=timezone.now() - timedelta(days=400))
    assert _failed(account) == {"broken_recently"}
    Arrangement.objects.filter(idempotency_key="old").update(ended_on=TODAY - timedelta(days=200))
    assert _failed(account) == set()


def test_none_when_the_last_payment_was_returned(counselor, make_user):
    cashier = make_user("dale", "Cashier")
    account = _owing()
    payment = post(
        open_session(cashier), cashier, (account, "50.00"), tenders=[check("50.00")]
    ).payments.get()
    tender_return(
        tender_id=payment.transaction.tenders.get().pk,
        returned_on=TODAY,
        reason="NSF",
        actor=cashier,
        idempotency_key=uuid4(),
    )
    assert _failed(account) == {"last_payment_returned"}
    with pytest.raises(DomainError, match=r"last payment \(.*\) was returned"):
        _propose(account, counselor)


@settings(max_examples=80, deadline=None)
@given(
    total=st.decimals(min_value=Decimal("1.00"), max_value=Decimal("20000"), places=2),
    down_share=st.integers(0, 90),
    n=st.integers(1, 24),
)
def test_schedule_sums_exactly_and_the_last_installment_absorbs_rounding(total, down_share, n):
    down = (total * down_share / 100).quantize(Decimal("0.01"))
    dates = [date(2026, 12, 20) + timedelta(days=30 * k) for k in range(n)]
    if (total - down) / n < Decimal("0.01"):
        with pytest.raises(DomainError):
            schedule(total=total, down_payment=down, count=n, first_dates=dates, today=date(2026, 11, 22))
        return
    rows = schedule(total=total, down_payment=down, count=n, first_dates=dates, today=date(2026, 11, 22))
    assert sum(a for _, _, a in rows) == total
    regular = [a for num, _, a in rows if num > 0]
    assert len(regular) == n and len(set(regular[:-1])) <= 1
    assert 0 <= regular[-1] - regular[0] < Decimal("0.01") * n


def test_installments_fall_due_with_the_bills(counselor):
    from accounts.models import Bill

    account = _owing()
    Bill.objects.create(
        number="B-1",
        account=account,
        period_start=TODAY - timedelta(days=40),
        period_end=TODAY - timedelta(days=10),
        bill_date=TODAY - timedelta(days=9),
        due_date=TODAY + timedelta(days=12),
        total=Decimal("300.00"),
    )
    dates = next_due_dates(account_id=account.pk, count=3, today=TODAY)
    assert dates[0] == TODAY + timedelta(days=12) and all(
        d.day == dates[0].day or d.day < dates[0].day for d in dates
    )
    assert dates[1].month == (dates[0].month % 12) + 1


def test_within_authority_is_active_at_once_with_an_agreement_letter(counselor):
    account = _owing("300.00")
    arr = _propose(account, counselor, down="30.00", n=3)
    assert arr.status == ArrangementStatus.ACTIVE and not arr.exceeds_authority
    assert [i.amount for i in arr.installments.all()] == [
        Decimal("30.00"),
        Decimal("90.00"),
        Decimal("90.00"),
        Decimal("90.00"),
    ]
    assert Letter.objects.filter(kind="agreement", subject_id=arr.pk).exists()
    assert _propose(account, counselor, key=arr.idempotency_key.removeprefix("arr:")) == arr


def test_above_authority_waits_for_a_second_person(counselor, make_user):
    supervisor = make_user("grace", "Supervisor")
    account = _owing("800.00")
    arr = _propose(account, counselor, n=4)
    assert arr.status == ArrangementStatus.PENDING_APPROVAL and arr.exceeds_authority
    assert not Letter.objects.filter(kind="agreement").exists()
    with pytest.raises(DomainError, match="Only a supervisor"):
        arrangement_decide(arrangement_id=arr.pk, approve=True, note="", actor=counselor)
    arrangement_decide(arrangement_id=arr.pk, approve=True, note="hardship verified", actor=supervisor)
    arr.refresh_from_db()
    assert arr.status == ArrangementStatus.ACTIVE and arr.decided_by == supervisor
    assert Letter.objects.filter(kind="agreement", subject_id=arr.pk).exists()
    long_one = _owing("100.00")
    assert _propose(long_one, counselor, n=9).status == ArrangementStatus.PENDING_APPROVAL  # months > 6


def test_payments_pay_installments_in_order_and_a_returned_check_reopens_them(counselor, make_user):
    cashier = make_user("dale", "Cashier")
    account = _owing("300.00")
    arr = _propose(account, counselor, n=3)
    session = open_session(cashier)
    post(session, cashier, (account, "100.00"), tenders=[cash("100.00")])
    checked = post(session, cashier, (account, "200.00"), tenders=[check("200.00")]).payments.get()
    arr.refresh_from_db()
    assert arr.status == ArrangementStatus.KEPT
    assert {i.status for i in arr.installments.all()} == {InstallmentStatus.PAID}
    tender_return(
        tender_id=checked.transaction.tenders.get().pk,
        returned_on=TODAY,
        reason="NSF",
        actor=cashier,
        idempotency_key=uuid4(),
    )
    arr.refresh_from_db()
    installments = list(arr.installments.all())
    assert arr.status == ArrangementStatus.ACTIVE, "the returned check undoes what it had paid"
    assert [i.status for i in installments] == [
        InstallmentStatus.PAID,
        InstallmentStatus.OPEN,
        InstallmentStatus.OPEN,
    ]
    assert installments[1].paid_amount == 0


def test_a_returned_check_beside_cash_reopens_only_what_the_check_paid(counselor, make_user):
    cashier = make_user("dale", "Cashier")
    account = _owing("300.00")
    arr = _propose(account, counselor, n=3)
    txn = post(open_session(cashier), cashier, (account, "300.00"), tenders=[cash("100.00"), check("200.00")])
    arr.refresh_from_db()
    assert arr.status == ArrangementStatus.KEPT
    tender_return(
        tender_id=txn.tenders.get(kind="check").pk,
        returned_on=TODAY,
        reason="NSF",
        actor=cashier,
        idempotency_key=uuid4(),
    )
    arr.refresh_from_db()
    installments = list(arr.installments.order_by("due_date", "number"))
    assert arr.status == ArrangementStatus.ACTIVE
    # the cash still pays $100 of the plan, on the earliest installments; the latest re-open
    assert sum(i.paid_amount for i in installments) == Decimal("100.00")
    assert installments[0].status == InstallmentStatus.PAID and installments[-1].paid_amount == 0
    standing = InstallmentPayment.objects.filter(installment__arrangement=arr, reversed=False)
    assert sum(x.amount for x in standing) == Decimal("100.00")


def test_cancel_needs_a_reason(counselor):
    arr = _propose(_owing(), counselor)
    with pytest.raises(DomainError, match="reason"):
        arrangement_cancel(arrangement_id=arr.pk, reason=" ", actor=counselor)


def test_a_voided_payment_reopens_the_installments_it_had_paid(counselor, make_user):
    """Found by the money model's audit of the hooks: a void reversed the money but the
    installments it had paid stayed paid, and the arrangement stayed kept."""
    cashier = make_user("dale", "Cashier")
    account = _owing("300.00")
    arr = _propose(account, counselor, n=3)
    session = open_session(cashier)
    post(session, cashier, (account, "100.00"), tenders=[cash("100.00")])
    txn = post(session, cashier, (account, "200.00"), tenders=[cash("200.00")])
    arr.refresh_from_db()
    assert arr.status == ArrangementStatus.KEPT
    transaction_void(transaction_id=txn.pk, reason="keyed on the wrong account", actor=cashier)
    arr.refresh_from_db()
    assert arr.status == ArrangementStatus.ACTIVE
    assert [i.status for i in arr.installments.all()] == [
        InstallmentStatus.PAID,
        InstallmentStatus.OPEN,
        InstallmentStatus.OPEN,
    ]
