from datetime import date, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from accounts.models import Account, Adjustment, AdjustmentStatus, EntryKind, LedgerEntry, ReasonCode
from accounts.services.adjustments import adjustment_decide, adjustment_request
from accounts.services.ledger import credit_distribution, ledger_sum
from accounts.services.ledger_check import ledger_check_run
from accounts.services.transfers import payment_transfer
from accounts.tests.factories import AccountFactory, charge, fund, pay
from common.exceptions import DomainError
from common.models import AuditEvent
from policy.tests.helpers import use_policy

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _reason(kind: str) -> ReasonCode:
    return ReasonCode.objects.filter(kind=kind).first()


def _adjust(account, actor, amount: str, key=None):  # type: ignore[no-untyped-def]
    return adjustment_request(
        account_id=account.pk,
        fund_id=fund("WTR").pk,
        amount=Decimal(amount),
        reason_id=_reason("adjustment").pk,
        note="meter misread",
        actor=actor,
        idempotency_key=key or uuid4(),
    )


def test_small_adjustment_posts_at_once_and_is_audited(make_user):
    counselor = make_user("carmen", "Counselor")
    account = AccountFactory()
    charge(account, "80.00", due=TODAY)
    adj = _adjust(account, counselor, "-25.00")
    account.refresh_from_db()
    assert adj.status == AdjustmentStatus.POSTED and adj.entry.amount == Decimal("-25.00")
    assert account.balance == Decimal("55.00") == ledger_sum(account.pk)
    event = AuditEvent.objects.get(verb="adjustment.post")
    assert event.account_id == account.pk and event.actor == counselor


def test_adjustment_is_idempotent_per_key(make_user):
    counselor = make_user("carmen", "Counselor")
    account = AccountFactory()
    key = uuid4()
    assert _adjust(account, counselor, "-5.00", key) == _adjust(account, counselor, "-5.00", key)
    assert LedgerEntry.objects.filter(account=account).count() == 1


def test_large_adjustment_waits_for_a_second_person(make_user, settings):
    use_policy(adjustments__approval_limit="100.00")
    counselor = make_user("carmen", "Counselor")
    supervisor = make_user("grace", "Supervisor")
    account = AccountFactory()
    adj = _adjust(account, counselor, "-150.00")
    account.refresh_from_db()
    assert adj.status == AdjustmentStatus.PENDING and account.balance == 0
    with pytest.raises(DomainError, match="Only a supervisor"):
        adjustment_decide(adjustment_id=adj.pk, approve=True, note="", actor=counselor)
    with pytest.raises(DomainError, match="Say why"):
        adjustment_decide(adjustment_id=adj.pk, approve=False, note=" ", actor=supervisor)
    adjustment_decide(adjustment_id=adj.pk, approve=True, note="verified", actor=supervisor)
    account.refresh_from_db()
    assert account.balance == Decimal("-150.00")
    with pytest.raises(DomainError, match="already decided"):
        adjustment_decide(adjustment_id=adj.pk, approve=True, note="", actor=supervisor)


def test_supervisor_cannot_approve_their_own_request(make_user, settings):
    use_policy(adjustments__approval_limit="10.00")
    supervisor = make_user("grace", "Supervisor")
    other = make_user("otto", "Supervisor")
    account = AccountFactory()
    # Holding the approval right does not post a supervisor's own large adjustment...
    own = _adjust(account, supervisor, "-50.00")
    assert own.status == AdjustmentStatus.PENDING
    with pytest.raises(DomainError, match="second person"):
        adjustment_decide(adjustment_id=own.pk, approve=True, note="", actor=supervisor)
    # ...another supervisor decides it.
    assert adjustment_decide(adjustment_id=own.pk, approve=True, note="ok", actor=other).decided_by == other


@pytest.mark.parametrize(("amount", "note", "message"), [("0", "x", "zero"), ("5", " ", "note")])
def test_adjustment_refuses_bad_input_and_saves_nothing(make_user, amount, note, message):
    counselor = make_user("carmen", "Counselor")
    account = AccountFactory()
    with pytest.raises(DomainError, match=message):
        adjustment_request(
            account_id=account.pk,
            fund_id=fund("WTR").pk,
            amount=Decimal(amount),
            reason_id=_reason("adjustment").pk,
            note=note,
            actor=counselor,
            idempotency_key=uuid4(),
        )
    assert not Adjustment.objects.exists() and not AuditEvent.objects.filter(verb__startswith="adj").exists()


def test_misapplied_payment_moves_to_the_right_account(make_user):
    cashier = make_user("dale", "Cashier")
    wrong, right = AccountFactory(), AccountFactory()
    charge(right, "60.00", due=TODAY - timedelta(days=40), code="SWR")
    pay(wrong, "45.00", on=TODAY - timedelta(days=1), reference="PAY-77", code="WTR")
    payment_transfer(
        from_account_id=wrong.pk,
        reference="PAY-77",
        paid_on=TODAY - timedelta(days=1),
        to_account_number=right.number,
        reason_id=_reason("transfer").pk,
        note="wrong stub",
        actor=cashier,
        idempotency_key=uuid4(),
    )
    wrong.refresh_from_db()
    right.refresh_from_db()
    assert wrong.balance == 0 == ledger_sum(wrong.pk)
    assert right.balance == Decimal("15.00") == ledger_sum(right.pk)
    reversal = LedgerEntry.objects.get(account=wrong, kind=EntryKind.TRANSFER)
    assert reversal.reversal_of.reference == "PAY-77" and reversal.amount == Decimal("45.00")
    moved = LedgerEntry.objects.get(account=right, kind=EntryKind.TRANSFER)
    assert moved.fund == fund("SWR"), "the moved money settles the target's oldest charge"
    with pytest.raises(DomainError, match="already moved"):
        payment_transfer(
            from_account_id=wrong.pk,
            reference="PAY-77",
            paid_on=TODAY - timedelta(days=1),
            to_account_number=right.number,
            reason_id=_reason("transfer").pk,
            note="again",
            actor=cashier,
            idempotency_key=uuid4(),
        )
    assert {e.verb for e in AuditEvent.objects.all()} >= {"payment.transfer_out", "payment.transfer_in"}


def test_credit_distribution_sums_exactly_and_keeps_overpayment_as_credit():
    account = AccountFactory()
    charge(account, "10.00", due=TODAY - timedelta(days=30), code="SWR")
    charge(account, "20.00", due=TODAY - timedelta(days=30), code="WTR")
    charge(account, "5.00", due=TODAY + timedelta(days=10), code="SLW")
    plan = credit_distribution(account_id=account.pk, amount=Decimal("50.00"), as_of=TODAY)
    assert plan == [
        (fund("WTR").pk, Decimal("20.00")),
        (fund("SWR").pk, Decimal("10.00")),
        (fund("SLW").pk, Decimal("5.00")),
        (fund("CR").pk, Decimal("15.00")),
    ]
    assert sum(p for _, p in plan) == Decimal("50.00")


def test_the_database_refuses_to_edit_or_delete_ledger_entries():
    account = AccountFactory()
    charge(account, "10.00", due=TODAY)
    entry = LedgerEntry.objects.get()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1.00"))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        entry.delete()


def test_sign_constraints_hold_in_the_database():
    account = AccountFactory()
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.create(
            account=account,
            fund=fund("WTR"),
            kind=EntryKind.PAYMENT,
            amount=Decimal("5.00"),
            is_debit=False,
            effective_date=TODAY,
        )


def test_ledger_check_finds_a_drifted_balance_and_runs_once_per_date():
    good, bad = AccountFactory(), AccountFactory()
    charge(good, "10.00", due=TODAY)
    charge(bad, "10.00", due=TODAY)
    Account.objects.filter(pk=bad.pk).update(balance=Decimal("99.00"))  # simulate a lost update
    run = ledger_check_run(business_date=date(2026, 11, 21))
    assert (run.accounts_checked, run.discrepancies) == (2, 1)
    found = run.found.get()
    assert (found.account_id, found.stored_balance, found.ledger_sum) == (
        bad.pk,
        Decimal("99.00"),
        Decimal("10.00"),
    )
    Account.objects.filter(pk=good.pk).update(balance=Decimal("1.00"))
    again = ledger_check_run(business_date=date(2026, 11, 21))
    assert again.pk == run.pk and again.discrepancies == 1  # idempotent per business date
