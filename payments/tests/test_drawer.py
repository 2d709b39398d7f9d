from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import EntryKind, LedgerEntry
from accounts.services.ledger import ledger_sum
from accounts.tests.factories import AccountFactory, charge
from common.exceptions import DomainError
from conftest import pdf_text
from payments.models import BankDeposit, PaymentStatus, SessionStatus
from payments.pdf import deposit_slip_pdf, receipt_pdf, session_report_pdf
from payments.selectors import gl_journal
from payments.services.deposits import deposit_advance, deposit_prepare
from payments.services.sessions import count_total, session_close, session_expected, session_signoff
from payments.services.voids import transaction_void
from payments.tests.factories import cash, check, open_session, post

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def cashier(make_user):
    return make_user("dale", "Cashier")


@pytest.fixture
def supervisor(make_user):
    return make_user("grace", "Supervisor")


def _close(session, cashier, cash_total: str, checks: str = "0", n_checks: int = 0, cards: str = "0"):  # type: ignore[no-untyped-def]
    cents = int(Decimal(cash_total) * 100)
    denoms = {"20": cents // 2000, "coin_0.01": cents % 2000}
    return session_close(
        session_id=session.pk,
        cashier=cashier,
        denominations=denoms,
        checks_total=Decimal(checks),
        check_count=n_checks,
        cards_total=Decimal(cards),
        other_total=Decimal("0"),
    )


def test_one_open_session_per_cashier_and_per_drawer(cashier, make_user):
    open_session(cashier)
    with pytest.raises(DomainError, match="already have an open drawer"):
        open_session(cashier, code="T09")
    with pytest.raises(DomainError, match="already open for another cashier"):
        open_session(make_user("eve", "Cashier"))


def test_count_total_by_denomination():
    assert count_total({"100": 1, "20": 3, "coin_0.25": 7, "coin_0.01": 3}) == Decimal("161.78")
    with pytest.raises(DomainError):
        count_total({"3": 1})


def test_balanced_close_and_a_short_close_needing_a_supervisor(cashier, supervisor, make_user):
    account = AccountFactory()
    session = open_session(cashier, float_="100.00")
    post(session, cashier, (account, "45.50"), tenders=[cash("50.00")])
    post(session, cashier, (account, "30.00"), tenders=[check("30.00", "2001")])
    expected = session_expected(session=session)
    assert (expected.cash, expected.checks, expected.check_count) == (Decimal("145.50"), Decimal("30.00"), 1)
    closed = _close(session, cashier, "145.50", "30.00", 1)
    assert closed.status == SessionStatus.CLOSED and closed.over_short == 0

    other = make_user("eve", "Cashier")
    s2 = open_session(other, code="T02", float_="50.00")
    post(s2, other, (account, "20.00"), tenders=[cash("20.00")])
    short = _close(s2, other, "60.00")  # $10 short
    assert short.over_short == Decimal("-10.00") and short.status == SessionStatus.PENDING_SIGNOFF
    with pytest.raises(DomainError, match="Give the reason"):
        session_signoff(session_id=s2.pk, supervisor=supervisor, reason="")
    with pytest.raises(DomainError, match="Only a supervisor"):
        session_signoff(session_id=s2.pk, supervisor=cashier, reason="x")
    signed = session_signoff(session_id=s2.pk, supervisor=supervisor, reason="miscounted change, coached")
    assert signed.status == SessionStatus.SIGNED_OFF and signed.signed_off_by == supervisor
    report = pdf_text(session_report_pdf(signed))
    assert "Over (+) / short (−) -$10.00" in report and "miscounted change" in report
    assert "Closed, short $10.00, signed off by grace" in report


def test_same_day_void_by_the_cashier_reverses_and_leaves_the_drawer_whole(cashier):
    account = AccountFactory()
    charge(account, "60.00", due=TODAY - timedelta(days=3))
    session = open_session(cashier)
    txn = post(session, cashier, (account, "60.00"), tenders=[cash("60.00")])
    transaction_void(transaction_id=txn.pk, reason="wrong account", actor=cashier)
    payment = txn.payments.get()
    assert payment.status == PaymentStatus.VOIDED
    reversals = LedgerEntry.objects.filter(account=account, kind=EntryKind.PAYMENT_REVERSAL)
    assert [r.reversal_of.kind for r in reversals] == ["payment"]
    account.refresh_from_db()
    assert account.balance == Decimal("60.00") == ledger_sum(account.pk)
    assert session_expected(session=session).cash == Decimal("100.00")  # the voided cash is not expected
    assert "VOIDED" in pdf_text(receipt_pdf(txn, copy=True)).upper() and "COPY" in pdf_text(
        receipt_pdf(txn, copy=True)
    )


def test_void_after_close_needs_a_supervisor(cashier, supervisor):
    account = AccountFactory()
    session = open_session(cashier)
    txn = post(session, cashier, (account, "25.00"), tenders=[cash("25.00")])
    _close(session, cashier, "125.00")
    transaction_void(transaction_id=txn.pk, reason="duplicate", actor=cashier)
    assert txn.payments.get().status == PaymentStatus.VOID_PENDING
    account.refresh_from_db()
    assert account.balance == Decimal("-25.00"), "nothing reversed until approved"
    transaction_void(transaction_id=txn.pk, reason="approved", actor=supervisor)
    assert txn.payments.get().status == PaymentStatus.VOIDED
    account.refresh_from_db()
    assert account.balance == 0
    with pytest.raises(DomainError, match="already voided"):
        transaction_void(transaction_id=txn.pk, reason="again", actor=supervisor)


def test_deposit_from_closed_sessions_and_its_slip(cashier, supervisor, make_user):
    account = AccountFactory()
    session = open_session(cashier, float_="100.00")
    post(session, cashier, (account, "80.00"), tenders=[cash("80.00")])
    post(session, cashier, (account, "35.00"), tenders=[check("35.00", "777")])
    with pytest.raises(DomainError, match="not closed"):
        deposit_prepare(session_ids=[session.pk], actor=supervisor)
    _close(session, cashier, "180.00", "35.00", 1)
    deposit = deposit_prepare(session_ids=[session.pk], actor=supervisor)
    assert (deposit.cash, deposit.checks, deposit.total, deposit.check_count) == (
        Decimal("80.00"),
        Decimal("35.00"),
        Decimal("115.00"),
        1,
    )
    with pytest.raises(DomainError, match="already in deposit"):
        deposit_prepare(session_ids=[session.pk], actor=supervisor)
    slip = pdf_text(deposit_slip_pdf(deposit))
    assert deposit.number in slip and "#777" in slip and "115.00" in slip
    deposit_advance(deposit_id=deposit.pk, actor=supervisor)
    with pytest.raises(DomainError, match="confirmation reference"):
        deposit_advance(deposit_id=deposit.pk, actor=supervisor)
    assert (
        deposit_advance(deposit_id=deposit.pk, actor=supervisor, bank_reference="BK-9").status == "confirmed"
    )
    assert BankDeposit.objects.get().bank_reference == "BK-9"


def test_gl_journal_equals_payments_less_reversals(cashier):
    a, b = AccountFactory(), AccountFactory()
    charge(a, "40.00", due=TODAY, code="SWR")
    session = open_session(cashier)
    post(session, cashier, (a, "40.00"), (b, "10.00"), tenders=[cash("50.00")])
    voided = post(session, cashier, (b, "7.00"), tenders=[cash("7.00")])
    transaction_void(transaction_id=voided.pk, reason="test", actor=cashier)
    rows = {r.fund_code: r for r in gl_journal(day=TODAY)}
    assert rows["SWR"].net == Decimal("40.00") and rows["CR"].payments == Decimal("17.00")
    assert rows["CR"].reversals == Decimal("7.00") and rows["CR"].net == Decimal("10.00")
    assert sum(r.net for r in rows.values()) == Decimal("50.00")


def test_a_drawer_short_within_tolerance_is_not_reported_balanced(cashier):
    """Demo city: a drawer $3.00 short closed within tolerance printed "status Closed, balanced"
    on its report. Within tolerance is not balanced: the report and the screen say how much."""
    account = AccountFactory()
    session = open_session(cashier, float_="100.00")
    post(session, cashier, (account, "23.00"), tenders=[cash("23.00")])
    closed = _close(session, cashier, "120.00")  # 123.00 expected: $3.00 short, tolerance $5.00
    assert closed.status == SessionStatus.CLOSED and closed.over_short == Decimal("-3.00")
    report = pdf_text(session_report_pdf(closed))
    assert "balanced" not in report.lower()
    assert "Closed, short $3.00, within tolerance" in report
    assert "Over (+) / short (−) -$3.00" in report
