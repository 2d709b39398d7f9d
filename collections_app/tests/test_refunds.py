"""Credit balance refunds: the request's limits and refusals, four eyes above the approval limit,
issuing on the funds that hold the credit (balance == sum of entries), idempotency and a race of
two people issuing the same refund, cashed checks, unclaimed checks returned, and the nightly
proposals (once per date, nothing new when run again)."""

import threading
from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.utils import timezone

from accounts.models import EntryKind, LedgerEntry
from accounts.services.ledger import EntrySpec
from accounts.tests.factories import AccountFactory, charge, fund, pay, post
from collections_app.models.refunds import Refund, RefundLine, RefundMethod
from collections_app.services.refund_checks import refund_check_cashed
from collections_app.services.refunds import (
    refund_cancel,
    refund_decide,
    refund_issue,
)
from collections_app.tests.refund_setup import ask, assert_invariant, card_payment, in_credit
from common.exceptions import DomainError
from common.models import AuditEvent
from payments.services.posting import TenderSpec
from payments.tests.factories import check
from payments.tests.factories import post as pay_at_counter
from policy.services import policy_version_create

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
PAST = TODAY - timedelta(days=60)


@pytest.fixture
def cashier(make_user):  # type: ignore[no-untyped-def]
    return make_user("cass", "Cashier")


@pytest.fixture
def supervisor(make_user):  # type: ignore[no-untyped-def]
    return make_user("sam", "Supervisor")


@pytest.fixture
def counselor(make_user):  # type: ignore[no-untyped-def]
    return make_user("cora", "Counselor")


# --- request: limits and refusals ------------------------------------------------------------


def test_at_or_below_the_limit_a_refund_is_approved_at_once_above_it_waits(cashier):
    small, large = in_credit("100.00"), in_credit("100.01")
    approved = ask(small, cashier, "100.00")
    waiting = ask(large, cashier, "100.01")
    assert (approved.status, approved.auto_approved, approved.approver_label) == (
        "approved",
        True,
        "within limit",
    )
    assert (waiting.status, waiting.auto_approved) == ("requested", False)
    assert approved.payee == small.customer.display_name
    assert approved.mailing_address == "100 W Main St\nPhoenix, AZ 85004"
    assert (
        AuditEvent.objects.filter(verb="refund.request", account_id=large.pk).get().data["credit"] == "100.01"
    )


def test_the_approval_limit_comes_from_the_policy(cashier, supervisor):
    policy_version_create(
        name="",
        presets=["DEFAULT"],
        overrides={"refunds.approval_limit": "25.00"},
        note="tighter",
        actor=supervisor,
    )
    assert ask(in_credit("30.00"), cashier, "30.00").status == "requested"


@pytest.mark.parametrize(
    ("setup", "amount", "method", "code", "says"),
    [
        (lambda: AccountFactory(), "5.00", "check", "refund.no_credit", "no credit balance"),
        (lambda: in_credit("3.00"), "3.00", "check", "refund.below_minimum", "at or below the $3.00 minimum"),
        (lambda: in_credit("50.00"), "50.01", "check", "refund.too_much", "At most $50.00"),
        (lambda: in_credit("50.00"), "0.00", "check", "refund.amount", "more than zero"),
        (lambda: in_credit("50.00"), "10.00", "wire", "refund.method", "by check or to the original"),
        (
            lambda: in_credit("50.00", customer__mail_line1=""),
            "10.00",
            "check",
            "refund.no_address",
            "no mailing address",
        ),
        (
            lambda: in_credit("50.00"),
            "10.00",
            "original_payment",
            "refund.no_original_payment",
            "refund by check",
        ),
    ],
)
def test_a_refused_request_says_why_and_saves_nothing(cashier, setup, amount, method, code, says):  # type: ignore[no-untyped-def]
    account = setup()
    with pytest.raises(DomainError) as exc:
        ask(account, cashier, amount, method)
    assert exc.value.code == code and says in exc.value.message
    assert not Refund.objects.exists() and not AuditEvent.objects.filter(verb="refund.request").exists()


def test_a_deposit_held_is_not_a_refundable_credit(cashier):
    account = in_credit("20.00")
    post(
        account,
        EntrySpec(
            fund_id=fund("DEP").pk, kind=EntryKind.PAYMENT, amount=Decimal("-100.00"), effective_date=PAST
        ),
    )
    assert account.balance == Decimal("-120.00")
    with pytest.raises(DomainError, match=r"At most \$20.00 .*deposit held"):
        ask(account, cashier, "120.00")
    assert ask(account, cashier, "20.00").amount == Decimal("20.00")


def test_one_refund_open_at_a_time_and_a_replayed_request_returns_the_first(cashier):
    account = in_credit("80.00")
    key = uuid4()
    first = ask(account, cashier, "30.00", key=key)
    assert ask(account, cashier, "30.00", key=key) == first
    with pytest.raises(DomainError, match="already approved, to issue: issue or cancel it first"):
        ask(account, cashier, "20.00")
    assert Refund.objects.count() == 1


def test_roles_without_request_authority_are_refused(counselor):
    with pytest.raises(DomainError, match="cannot request refunds"):
        ask(in_credit("50.00"), counselor, "50.00")


# --- back to the original card / electronic payment --------------------------------------------


def test_a_card_refund_goes_to_the_latest_card_payment_and_never_above_it(cashier):
    account = AccountFactory(status="final")
    charge(account, "40.00", due=PAST)
    card_payment(cashier, account, "100.00", "1111")  # the older one
    session = account.payments.get().transaction.session
    pay_at_counter(
        session, cashier, (account, "30.00"), tenders=[check("30.00")]
    )  # a check is never refunded to
    pay_at_counter(
        session,
        cashier,
        (account, "25.00"),
        tenders=[TenderSpec(kind="card", amount=Decimal("25.00"), card_last4="2222", auth_code="B2")],
    )
    account.refresh_from_db()
    assert account.balance == Decimal("-115.00")
    with pytest.raises(DomainError) as exc:
        ask(account, cashier, "25.01", RefundMethod.ORIGINAL_PAYMENT)
    assert exc.value.code == "refund.exceeds_payment"
    assert "Card ending 2222" in exc.value.message and "at most $25.00" in exc.value.message
    refund = ask(account, cashier, "25.00", RefundMethod.ORIGINAL_PAYMENT)
    assert refund.payment.amount == Decimal("25.00") and refund.mailing_address == ""


# --- four eyes ----------------------------------------------------------------------------------


def test_above_the_limit_a_second_person_approves_never_the_requester(make_user, supervisor):
    boss = make_user("bea", "Supervisor")
    account = in_credit("250.00")
    refund = ask(account, boss, "250.00")
    with pytest.raises(DomainError, match="A second person must decide"):
        refund_decide(refund_id=refund.pk, approve=True, note="", actor=boss)
    approved = refund_decide(refund_id=refund.pk, approve=True, note="ok", actor=supervisor)
    assert (approved.status, approved.approved_by, approved.approver_label) == ("approved", supervisor, "sam")
    with pytest.raises(DomainError, match="already approved"):
        refund_decide(refund_id=refund.pk, approve=True, note="", actor=supervisor)


def test_a_cashier_cannot_approve_and_a_rejection_needs_a_reason(cashier, supervisor):
    refund = ask(in_credit("250.00"), cashier, "250.00")
    with pytest.raises(DomainError, match="Only a supervisor"):
        refund_decide(refund_id=refund.pk, approve=True, note="", actor=cashier)
    with pytest.raises(DomainError, match="Say why"):
        refund_decide(refund_id=refund.pk, approve=False, note=" ", actor=supervisor)
    rejected = refund_decide(
        refund_id=refund.pk, approve=False, note="Customer owes elsewhere", actor=supervisor
    )
    assert rejected.status == "rejected" and rejected.decision_note == "Customer owes elsewhere"
    with pytest.raises(DomainError, match="Only an approved refund can be issued; this one is rejected"):
        refund_issue(refund_id=refund.pk, check_number="5001", actor=supervisor)


def test_approval_refuses_when_the_credit_has_shrunk_since_the_request(cashier, supervisor):
    account = in_credit("250.00")
    refund = ask(account, cashier, "250.00")
    charge(account, "60.00", due=TODAY)  # a late meter correction used part of the credit
    with pytest.raises(DomainError, match=r"credit is now \$190.00, less than the \$250.00"):
        refund_decide(refund_id=refund.pk, approve=True, note="", actor=supervisor)


def test_the_requester_or_a_supervisor_cancels_with_a_reason(cashier, make_user, supervisor):
    other = make_user("cid", "Cashier")
    refund = ask(in_credit("50.00"), cashier, "50.00")
    with pytest.raises(DomainError, match="Only the person who requested it"):
        refund_cancel(refund_id=refund.pk, reason="no", actor=other)
    with pytest.raises(DomainError, match="Say why"):
        refund_cancel(refund_id=refund.pk, reason="", actor=cashier)
    assert (
        refund_cancel(refund_id=refund.pk, reason="Customer will use it", actor=cashier).status == "cancelled"
    )
    with pytest.raises(DomainError, match="this one is cancelled"):
        refund_cancel(refund_id=refund.pk, reason="again", actor=supervisor)


# --- issuing: the funds, the ledger, idempotency ------------------------------------------------


def test_issuing_debits_the_credit_fund_and_the_balance_equals_the_entries(cashier, supervisor):
    account = in_credit("250.00")
    refund = refund_decide(
        refund_id=ask(account, cashier, "250.00").pk, approve=True, note="", actor=supervisor
    )
    issued = refund_issue(refund_id=refund.pk, check_number="5001", actor=supervisor)
    assert (issued.status, issued.check_number, issued.issued_on, issued.issued_by) == (
        "issued",
        "5001",
        TODAY,
        supervisor,
    )
    entry = LedgerEntry.objects.get(account=account, kind=EntryKind.REFUND)
    assert (entry.fund.code, entry.amount, entry.is_debit, entry.idempotency_key) == (
        "CR",
        Decimal("250.00"),
        True,
        f"refund:{refund.pk}:0",
    )
    assert entry.reference == f"REFUND-{refund.pk} CHECK 5001"
    assert_invariant(account)
    assert account.balance == 0
    assert [(line.fund.code, line.amount, line.entry_id) for line in issued.lines.all()] == [
        ("CR", Decimal("250.00"), entry.pk)
    ]
    audit = AuditEvent.objects.get(verb="refund.issue")
    assert audit.data["funds"] == {"CR": "250.00"} and audit.data["balance_after"] == "0.00"


def test_a_credit_on_several_funds_is_taken_credit_fund_first_and_a_deposit_never(cashier, supervisor):
    account = AccountFactory(status="final")
    charge(account, "50.00", due=PAST)
    pay(account, "80.00", on=PAST)  # WTR -30
    post(
        account,
        EntrySpec(
            fund_id=fund("CR").pk, kind=EntryKind.ADJUSTMENT, amount=Decimal("-40.00"), effective_date=PAST
        ),
        EntrySpec(
            fund_id=fund("DEP").pk, kind=EntryKind.PAYMENT, amount=Decimal("-10.00"), effective_date=PAST
        ),
    )
    assert account.balance == Decimal("-80.00")
    refund = ask(account, cashier, "60.00")
    refund_issue(refund_id=refund.pk, check_number="5002", actor=supervisor)
    parts = dict(
        LedgerEntry.objects.filter(account=account, kind=EntryKind.REFUND).values_list("fund__code", "amount")
    )
    assert parts == {"CR": Decimal("40.00"), "WTR": Decimal("20.00")}
    assert sorted(RefundLine.objects.values_list("amount", flat=True)) == [Decimal("20.00"), Decimal("40.00")]
    assert_invariant(account)
    assert account.balance == Decimal("-20.00")  # WTR -10 left, and the deposit held


def test_issuing_twice_posts_once_and_a_different_check_number_is_refused(cashier, supervisor):
    account = in_credit("60.00")
    refund = ask(account, cashier, "60.00")
    with pytest.raises(DomainError, match="Enter the check number"):
        refund_issue(refund_id=refund.pk, check_number=" ", actor=supervisor)
    with pytest.raises(DomainError, match="Only a supervisor can issue"):
        refund_issue(refund_id=refund.pk, check_number="5003", actor=cashier)
    first = refund_issue(refund_id=refund.pk, check_number="5003", actor=supervisor)
    assert refund_issue(refund_id=refund.pk, check_number="5003", actor=supervisor) == first
    with pytest.raises(DomainError, match="already issued as check 5003"):
        refund_issue(refund_id=refund.pk, check_number="5004", actor=supervisor)
    assert LedgerEntry.objects.filter(kind=EntryKind.REFUND).count() == 1
    assert AuditEvent.objects.filter(verb="refund.issue").count() == 1
    assert_invariant(account)


def test_issuing_refuses_when_a_charge_used_the_credit_after_approval(cashier, supervisor):
    account = in_credit("60.00")
    refund = ask(account, cashier, "60.00")
    charge(account, "30.00", due=TODAY)
    with pytest.raises(DomainError, match=r"credit is now \$30.00.*cancel it and request the new amount"):
        refund_issue(refund_id=refund.pk, check_number="5005", actor=supervisor)
    assert not LedgerEntry.objects.filter(kind=EntryKind.REFUND).exists()
    assert Refund.objects.get().status == "approved"


def test_a_card_refund_is_issued_without_a_check(cashier, supervisor):
    account = AccountFactory(status="final")
    charge(account, "40.00", due=PAST)
    card_payment(cashier, account, "90.00")
    refund = ask(account, cashier, "50.00", RefundMethod.ORIGINAL_PAYMENT)
    issued = refund_issue(refund_id=refund.pk, check_number="", actor=supervisor)
    assert issued.status == "issued" and issued.check_number == ""
    assert LedgerEntry.objects.get(kind=EntryKind.REFUND).reference.endswith("TO ORIGINAL PAYMENT")
    with pytest.raises(DomainError, match="not a check"):
        refund_check_cashed(refund_id=refund.pk, check_number="", cashed_on=TODAY, actor=supervisor)
    assert_invariant(account)


@pytest.mark.django_db(transaction=True)
def test_two_supervisors_issuing_the_same_refund_at_once_post_it_once(make_user):
    """The account lock serialises them: the second finds it issued and returns it."""
    from django.db import connection

    cashier, sam, bea = (
        make_user("cass", "Cashier"),
        make_user("sam", "Supervisor"),
        make_user("bea", "Supervisor"),
    )
    account = in_credit("75.00")
    refund = ask(account, cashier, "75.00")
    barrier, errors, results = threading.Barrier(2), [], []

    def work(actor) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            results.append(refund_issue(refund_id=refund.pk, check_number="6001", actor=actor).pk)
        except BaseException as exc:  # asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(a,)) for a in (sam, bea)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert results == [refund.pk, refund.pk]
    assert LedgerEntry.objects.filter(kind=EntryKind.REFUND).count() == 1
    assert AuditEvent.objects.filter(verb="refund.issue").count() == 1
    assert_invariant(account)
    assert account.balance == 0
