"""Refund checks after issue (cashed, or returned unclaimed after the policy's period) and the
nightly run: proposals for final accounts' credits past the waiting period, once per date."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Account, Bill, EntryKind, LedgerEntry
from accounts.services.ledger import EntrySpec
from accounts.tests.factories import AccountFactory, fund, post
from collections_app.models import BatchRun, RunKind
from collections_app.models.refunds import Refund, RefundMethod, RefundSource, RefundStatus
from collections_app.services.refund_checks import refund_check_cashed
from collections_app.services.refunds import refund_decide, refund_issue
from collections_app.services.refunds_nightly import refunds_nightly_run
from collections_app.tests.refund_setup import ask, assert_invariant, in_credit
from common.exceptions import DomainError
from common.models import AuditEvent
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


# --- checks: cashed or unclaimed ------------------------------------------------------------------


def _issued(cashier, supervisor, amount: str = "60.00", number: str = "7001") -> Refund:  # type: ignore[no-untyped-def]
    account = in_credit(amount)
    refund = ask(account, cashier, amount)
    if refund.status == "requested":
        refund_decide(refund_id=refund.pk, approve=True, note="", actor=supervisor)
    return refund_issue(refund_id=refund.pk, check_number=number, actor=supervisor)


def test_a_cashed_check_is_recorded_once_with_its_number_and_date(cashier, supervisor):
    refund = _issued(cashier, supervisor)
    with pytest.raises(DomainError, match="is not this refund's check"):
        refund_check_cashed(refund_id=refund.pk, check_number="7002", cashed_on=TODAY, actor=supervisor)
    with pytest.raises(DomainError, match="between the issue date"):
        refund_check_cashed(
            refund_id=refund.pk, check_number="7001", cashed_on=TODAY + timedelta(days=1), actor=supervisor
        )
    cashed = refund_check_cashed(refund_id=refund.pk, check_number="7001", cashed_on=TODAY, actor=supervisor)
    assert (cashed.status, cashed.cashed_on) == ("cashed", TODAY)
    assert (
        refund_check_cashed(refund_id=refund.pk, check_number="7001", cashed_on=TODAY, actor=supervisor)
        == cashed
    )
    assert AuditEvent.objects.filter(verb="refund.cashed").count() == 1


def test_an_uncashed_check_returns_to_the_account_as_unclaimed_after_the_policy_period(cashier, supervisor):
    refund = _issued(cashier, supervisor, "60.00")
    cashed = _issued(cashier, supervisor, "45.00", "7002")
    refund_check_cashed(refund_id=cashed.pk, check_number="7002", cashed_on=TODAY, actor=supervisor)
    account = refund.account
    account.refresh_from_db()
    assert account.balance == 0

    day_179 = TODAY + timedelta(days=179)
    assert refunds_nightly_run(business_date=day_179).counts["unclaimed"] == 0
    day_180 = TODAY + timedelta(days=180)
    run = refunds_nightly_run(business_date=day_180)
    assert run.counts["unclaimed"] == 1 and run.counts["unclaimed_total"] == "60.00"

    refund.refresh_from_db()
    assert (refund.status, refund.unclaimed_on) == ("unclaimed", day_180)
    back = LedgerEntry.objects.get(account=account, kind=EntryKind.REVERSAL)
    original = LedgerEntry.objects.get(account=account, kind=EntryKind.REFUND)
    assert (back.reversal_of_id, back.amount, back.fund.code) == (original.pk, Decimal("-60.00"), "CR")
    assert_invariant(account)
    assert account.balance == Decimal("-60.00")  # the credit is the customer's again
    audit = AuditEvent.objects.get(verb="refund.unclaimed")
    assert audit.account_id == account.pk and audit.data["restored_credit"] == "60.00"
    # the cashed check stays cashed, and a later run returns nothing twice
    cashed.refresh_from_db()
    assert cashed.status == "cashed"
    refunds_nightly_run(business_date=day_180 + timedelta(days=1))
    assert LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).count() == 1
    with pytest.raises(DomainError, match="this refund is check unclaimed, returned to the account"):
        refund_check_cashed(refund_id=refund.pk, check_number="7001", cashed_on=TODAY, actor=supervisor)


def test_the_unclaimed_period_comes_from_the_policy(cashier, supervisor):
    policy_version_create(
        name="",
        presets=["DEFAULT"],
        overrides={"refunds.unclaimed_after_days": 90},
        note="90 days",
        actor=supervisor,
    )
    refund = _issued(cashier, supervisor)
    refunds_nightly_run(business_date=TODAY + timedelta(days=90))
    refund.refresh_from_db()
    assert refund.status == "unclaimed"


# --- nightly proposals ----------------------------------------------------------------------------


def _final_billed(account: Account, days_ago: int) -> None:
    day = TODAY - timedelta(days=days_ago)
    Bill.objects.create(
        number=f"F{account.pk}",
        account=account,
        period_start=day - timedelta(days=30),
        period_end=day,
        bill_date=day,
        due_date=day + timedelta(days=20),
        total=Decimal("40.00"),
        is_final=True,
    )


def test_nightly_proposes_a_check_refund_for_final_credits_past_the_waiting_period_once(cashier):
    due = in_credit("62.50")
    _final_billed(due, 31)
    closed = in_credit("10.00", status="closed", final_bill_requested_on=TODAY - timedelta(days=40))
    too_recent = in_credit("80.00")
    _final_billed(too_recent, 29)
    small = in_credit("3.00")
    _final_billed(small, 60)
    active = in_credit("80.00", status="active")
    _final_billed(active, 60)
    has_open = in_credit("90.00")
    _final_billed(has_open, 60)
    ask(has_open, cashier, "20.00")
    deposit_only = AccountFactory(status="final")
    _final_billed(deposit_only, 60)
    post(
        deposit_only,
        EntrySpec(
            fund_id=fund("DEP").pk, kind=EntryKind.PAYMENT, amount=Decimal("-100.00"), effective_date=PAST
        ),
    )

    run = refunds_nightly_run(business_date=TODAY)

    proposed = {r.account_id: r for r in Refund.objects.filter(batch=run)}
    assert set(proposed) == {due.pk, closed.pk}
    r = proposed[due.pk]
    assert (r.amount, r.method, r.status, r.source, r.requested_by) == (
        Decimal("62.50"),
        RefundMethod.CHECK,
        RefundStatus.REQUESTED,
        RefundSource.NIGHTLY,
        None,
    )
    assert r.payee == due.customer.display_name and r.mailing_address == due.customer.mailing_address
    assert run.counts["proposed"] == 2 and run.counts["proposed_total"] == "72.50"
    assert AuditEvent.objects.filter(verb="refund.propose").count() == 2
    entries, refunds = LedgerEntry.objects.count(), Refund.objects.count()

    assert refunds_nightly_run(business_date=TODAY).pk == run.pk  # the same date: the same run
    assert (LedgerEntry.objects.count(), Refund.objects.count()) == (entries, refunds)
    # tomorrow: the 29-day-old final bill reaches 30 days; the open proposals are not made again
    tomorrow = refunds_nightly_run(business_date=TODAY + timedelta(days=1))
    assert [r.account_id for r in Refund.objects.filter(batch=tomorrow)] == [too_recent.pk]
    assert Refund.objects.count() == refunds + 1 and LedgerEntry.objects.count() == entries
    assert BatchRun.objects.filter(kind=RunKind.REFUNDS).count() == 2


def test_a_proposal_is_approved_by_staff_and_a_rejected_one_is_not_proposed_again(cashier, supervisor):
    account = in_credit("150.00")
    _final_billed(account, 45)
    refunds_nightly_run(business_date=TODAY)
    proposal = Refund.objects.get()
    assert proposal.status == "requested"  # even under the limit: staff review what the run proposes
    refund_decide(refund_id=proposal.pk, approve=False, note="Customer asked to donate it", actor=supervisor)
    refunds_nightly_run(business_date=TODAY + timedelta(days=1))
    assert Refund.objects.count() == 1


def test_a_proposal_without_a_mailing_address_takes_the_one_added_before_approval(supervisor):
    account = in_credit("150.00", customer__mail_line1="")
    _final_billed(account, 45)
    refunds_nightly_run(business_date=TODAY)
    proposal = Refund.objects.get()
    assert proposal.mailing_address == ""
    with pytest.raises(DomainError, match="no mailing address"):
        refund_decide(refund_id=proposal.pk, approve=True, note="", actor=supervisor)
    customer = account.customer
    customer.mail_line1 = "9 New Rd"
    customer.save()
    approved = refund_decide(refund_id=proposal.pk, approve=True, note="", actor=supervisor)
    assert approved.mailing_address.startswith("9 New Rd")


def test_the_waiting_period_comes_from_the_policy(supervisor):
    policy_version_create(
        name="",
        presets=["DEFAULT"],
        overrides={"refunds.waiting_days_after_final": 60},
        note="60",
        actor=supervisor,
    )
    account = in_credit("150.00")
    _final_billed(account, 45)
    assert refunds_nightly_run(business_date=TODAY).counts["proposed"] == 0
    assert refunds_nightly_run(business_date=TODAY + timedelta(days=15)).counts["proposed"] == 1


def test_beat_runs_the_refund_task_nightly_and_the_task_runs_the_service():
    from django.conf import settings

    from collections_app.tasks.refunds import refunds_nightly
    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["refunds-nightly"]
    assert entry["task"] == "collections_app.tasks.refunds.refunds_nightly" and entry["task"] in app.tasks
    account = in_credit("40.00")
    _final_billed(account, 31)
    result = refunds_nightly(business_date=TODAY.isoformat())
    assert result["proposed"] == 1 and Refund.objects.get().account_id == account.pk
    assert refunds_nightly(business_date=TODAY.isoformat())["run"] == result["run"]
