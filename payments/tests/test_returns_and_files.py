from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.utils import timezone

from accounts.models import Account, EntryKind, LedgerEntry
from accounts.selectors.aging import aging_for_account
from accounts.services.ledger import ledger_sum
from accounts.tests.factories import AccountFactory, charge
from common.dates import add_months
from common.exceptions import DomainError, ImportRejected
from common.models import AuditEvent
from conftest import pdf_text
from payments.models import Payment, PaymentFile, PaymentStatus
from payments.pdf import nsf_letter_pdf
from payments.services.files import payment_file_import
from payments.services.returns import tender_return
from payments.tests.factories import cash, check, open_session, post

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def cashier(make_user):
    return make_user("dale", "Cashier")


def _return(payment, actor, on=None, key=None):  # type: ignore[no-untyped-def]
    """Return the (only) tender of the payment's receipt."""
    return tender_return(
        tender_id=payment.transaction.tenders.get().pk,
        returned_on=on or TODAY,
        reason="NSF",
        actor=actor,
        idempotency_key=key or uuid4(),
    )


def test_a_returned_check_in_one_action_with_every_side_effect(cashier, monkeypatch):
    heard = []
    monkeypatch.setattr("payments.services.returns.payment_returned_hooks", [lambda **kw: heard.append(kw)])
    account = AccountFactory()
    charge(account, "90.00", due=TODAY - timedelta(days=50))
    txn = post(open_session(cashier), cashier, (account, "90.00"), tenders=[check("90.00", "555")])
    payment = txn.payments.get()
    aging_before = aging_for_account(account_id=account.pk, as_of=TODAY)
    assert aging_before.balance == 0

    key = uuid4()
    item = _return(payment, cashier, key=key)
    assert _return(payment, cashier, key=key) == item, "replaying the action changes nothing"

    payment.refresh_from_db()
    account.refresh_from_db()
    # the payment and its distribution are reversed, the account owes again at the old age
    assert payment.status == PaymentStatus.RETURNED
    assert LedgerEntry.objects.filter(account=account, kind=EntryKind.PAYMENT_REVERSAL).count() == 1
    aging = aging_for_account(account_id=account.pk, as_of=TODAY)
    assert aging.d31_60 == Decimal("90.00"), "back in line for collections at its real age"
    # first return: the first-time fee, no cash-only yet
    assert item.fee == Decimal("25.00") and item.cash_only_until is None
    assert account.balance == Decimal("115.00") == ledger_sum(account.pk)
    # counseling's hook heard about it, inside the same transaction
    assert heard and heard[0]["payment"] == payment and heard[0]["returned"] == item
    assert heard[0]["amount"] == Decimal("90.00") and sum(heard[0]["funds"].values()) == Decimal("90.00")
    assert AuditEvent.objects.filter(verb="payment.returned", account_id=account.pk).exists()
    letter = pdf_text(nsf_letter_pdf(item))
    assert "Notice of returned payment" in letter and "$90.00" in letter and "$25.00" in letter
    assert account.number in letter


def test_second_return_costs_more_and_makes_the_account_cash_only(cashier):
    account = AccountFactory()
    session = open_session(cashier)
    first = post(session, cashier, (account, "40.00"), tenders=[check("40.00", "1")]).payments.get()
    second = post(session, cashier, (account, "45.00"), tenders=[check("45.00", "2")]).payments.get()
    _return(first, cashier)
    item = _return(second, cashier)
    account.refresh_from_db()
    assert item.fee == Decimal("35.00") and item.nth_in_window == 2
    assert item.cash_only_until == add_months(TODAY, 12)  # 2 returns in 6 months => 12 months
    assert account.cash_only_until == item.cash_only_until
    with pytest.raises(DomainError, match="certified funds only"):
        post(session, cashier, (account, "10.00"), tenders=[check("10.00", "3")])
    post(session, cashier, (account, "10.00"), tenders=[cash("10.00")])
    letter = pdf_text(nsf_letter_pdf(item))
    assert "only certified funds" in letter


def test_cash_cannot_come_back_and_a_return_is_recorded_once(cashier):
    account = AccountFactory()
    session = open_session(cashier)
    payment = post(session, cashier, (account, "10.00"), tenders=[cash("10.00")]).payments.get()
    with pytest.raises(DomainError, match="Cash cannot come back as a returned item"):
        _return(payment, cashier)
    payment = post(session, cashier, (account, "12.00"), tenders=[check("12.00")]).payments.get()
    _return(payment, cashier)
    with pytest.raises(DomainError, match="already recorded as returned"):
        _return(payment, cashier)


LOCKBOX = "external_id,account_number,amount,paid_on,reference\n"


def test_lockbox_file_posts_all_lines_once(make_user):
    supervisor = make_user("grace", "Supervisor")
    a, b = AccountFactory(), AccountFactory()
    data = (
        LOCKBOX + f"LB-1,{a.number},25.00,{TODAY},chk 10\n" + f"LB-2,{b.number},30.50,{TODAY},chk 11\n"
    ).encode()
    record = payment_file_import(data=data, file_name="lockbox-1.csv", source="lockbox", actor=supervisor)
    assert (record.posted, record.skipped, record.total) == (2, 0, Decimal("55.50"))
    with pytest.raises(ImportRejected, match="Nothing was imported") as info:
        payment_file_import(data=data, file_name="again.csv", source="lockbox", actor=supervisor)
    assert "This exact file was imported" in info.value.errors[0][1]
    # a later file repeating LB-2 posts only its new line
    later = (
        LOCKBOX + f"LB-2,{b.number},30.50,{TODAY},chk 11\n" + f"LB-3,{a.number},5.00,{TODAY},\n"
    ).encode()
    record2 = payment_file_import(data=later, file_name="lockbox-2.csv", source="lockbox", actor=supervisor)
    assert (record2.posted, record2.skipped) == (1, 1)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.balance, b.balance) == (Decimal("-30.00"), Decimal("-30.50"))


def test_a_bad_payment_file_saves_nothing_and_names_each_line(make_user):
    supervisor = make_user("grace", "Supervisor")
    a = AccountFactory()
    cash_only = AccountFactory(cash_only_until=TODAY + timedelta(days=9))
    data = (
        LOCKBOX
        + f"X1,{a.number},10.00,{TODAY},\n"  # 2 ok
        + f"X2,{a.number},ten,{TODAY},\n"  # 3 amount
        + f"X3,0000000000,5.00,{TODAY},\n"  # 4 account
        + f"X1,{a.number},1.00,{TODAY},\n"  # 5 duplicate id
        + f"X5,{a.number},1.00,{TODAY + timedelta(days=3)},\n"  # 6 future
    ).encode()
    with pytest.raises(ImportRejected) as info:
        payment_file_import(data=data, file_name="bad.csv", source="lockbox", actor=supervisor)
    assert [line for line, _ in info.value.errors] == [3, 4, 5, 6]
    assert not PaymentFile.objects.exists() and not Payment.objects.exists()
    personal = (
        LOCKBOX + f"Y1,{a.number},10.00,{TODAY},\n" + f"Y2,{cash_only.number},10.00,{TODAY},\n"
    ).encode()
    with pytest.raises(ImportRejected) as info:
        payment_file_import(data=personal, file_name="p.csv", source="lockbox", actor=supervisor)
    assert info.value.errors[0][0] == 3 and "certified funds only" in info.value.errors[0][1]
    assert not Payment.objects.exists(), "the good line before it was rolled back too"
    assert Account.objects.get(pk=a.pk).balance == 0


def test_payment_file_errors_name_the_line_a_row_starts_on(make_user):
    """The header is line 1; a row whose quoted reference runs over two lines is named by its
    first line, and a blank line still counts."""
    supervisor = make_user("grace", "Supervisor")
    a = AccountFactory()
    data = (
        LOCKBOX
        + f"Z1,{a.number},10.00,{TODAY},ok\n"  # 2
        + f'Z2,{a.number},ten,{TODAY},"chk\n12"\n'  # 3-4: amount
        + "\n"  # 5: blank
        + f"Z3,0000000000,5.00,{TODAY},\n"  # 6: account
    ).encode()
    with pytest.raises(ImportRejected) as info:
        payment_file_import(data=data, file_name="bad.csv", source="lockbox", actor=supervisor)
    assert [line for line, _ in info.value.errors] == [3, 6]
