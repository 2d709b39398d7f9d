"""Every state-changing collections service leaves an audit row naming who did it and to which
account (common.audit.audit_record), so the account's own trail tells its story. One test per
area, each asserting the verb, the actor and the account of every row the service wrote."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.utils import timezone

from accounts.models import Account
from accounts.tests.factories import AccountFactory, charge
from collections_app.models import AgencyReferral, CollectionAgency, ContactAttempt, DepositStatus
from collections_app.services import protections
from collections_app.services.agency import referral_batch_run, referral_recall
from collections_app.services.bankruptcy import assurance_record, bankruptcy_dismiss, bankruptcy_record
from collections_app.services.credit_letters import credit_letter_issue
from collections_app.services.deposits import deposit_check_issued, deposit_waive
from collections_app.services.deposits_nightly import deposits_nightly_run
from collections_app.services.notices import notice_batch_build, notice_batch_mark_sent, notice_record
from collections_app.services.orders import field_visit_create, order_cancel, order_complete, order_dispatch
from collections_app.services.write_offs import write_off_decide, write_off_request
from collections_app.tests.billing import bill, use_policy
from collections_app.tests.test_agency import final_billed
from collections_app.tests.test_deposits import FLAT_100, START, _held_deposit, _require
from common.models import AuditEvent
from conftest import ROLE_NAMES

pytestmark = pytest.mark.django_db
COUNSELOR, CASHIER, COLLECTOR, SUPERVISOR, ADMIN = ROLE_NAMES
TODAY = timezone.localdate()


@pytest.fixture
def officer(make_user):  # type: ignore[no-untyped-def]
    return make_user("audrey", COLLECTOR)


@pytest.fixture
def supervisor(make_user):  # type: ignore[no-untyped-def]
    return make_user("sid", SUPERVISOR)


def assert_audited(verb: str, account: Account, actor, count: int = 1) -> None:  # type: ignore[no-untyped-def]
    rows = list(AuditEvent.objects.filter(verb=verb, account_id=account.pk))
    assert len(rows) == count, f"{verb} on {account.number}: {len(rows)} rows, expected {count}"
    assert all(r.actor_id == (actor.pk if actor else None) for r in rows), verb


def test_protections_are_audited_on_the_account(officer):
    account = AccountFactory()
    protections.medical_certificate_record(
        account_id=account.pk,
        received_on=TODAY,
        certifier="Dr. Lee",
        valid_until=None,
        financially_unable=True,
        willing_to_plan=True,
        note="",
        actor=officer,
    )
    appeal = protections.appeal_open(
        account_id=account.pk, opened_on=TODAY, subject="High bill", actor=officer
    )
    protections.appeal_resolve(appeal_id=appeal.pk, resolved_on=TODAY, outcome="Meter re-read", actor=officer)
    protections.contact_attempt_record(
        account_id=account.pk,
        at=timezone.make_aware(datetime.combine(TODAY, datetime.min.time())),
        method="phone",
        reached=False,
        note="",
        actor=officer,
    )
    for verb in ("medical_certificate.record", "appeal.open", "appeal.resolve", "contact_attempt.record"):
        assert_audited(verb, account, officer)


def test_field_orders_are_audited_at_every_step(officer):
    account = AccountFactory()
    visit = field_visit_create(
        account_id=account.pk,
        reason="Post the notice",
        scheduled_for=TODAY,
        actor=officer,
        idempotency_key="v1",
    )
    order_dispatch(order_ids=[visit.pk], crew="Crew 7", actor=officer)
    order_complete(order_id=visit.pk, outcome="no_access", actor=officer)
    order_dispatch(order_ids=[visit.pk], crew="Crew 7", actor=officer)
    order_complete(order_id=visit.pk, outcome="done", actor=officer)
    other = field_visit_create(
        account_id=account.pk,
        reason="Read the meter",
        scheduled_for=TODAY,
        actor=officer,
        idempotency_key="v2",
    )
    order_cancel(order_id=other.pk, reason="Customer read it for us", actor=officer)
    assert_audited("service_order.create", account, officer, count=2)
    assert_audited("service_order.dispatch", account, officer, count=2)
    assert_audited("service_order.no_access", account, officer)
    assert_audited("service_order.complete", account, officer)
    assert_audited("service_order.cancel", account, officer)


def test_notices_are_audited_on_each_account_when_built_and_sent(officer):
    use_policy("DEFAULT")
    a, b = AccountFactory(), AccountFactory()
    for account in (a, b):
        bill(account, "180.00", due=date(2026, 9, 1), billed=date(2026, 8, 11))
    batch = notice_batch_build(kind="shutoff", business_date=date(2026, 10, 21), actor=officer)
    notice_batch_build(kind="shutoff", business_date=date(2026, 10, 21), actor=officer)  # adds nothing
    build = AuditEvent.objects.filter(verb="notice.batch_build").order_by("id")
    assert [e.data["new"] for e in build] == [2, 0], "the second build added no notice"
    notice_batch_mark_sent(batch_id=batch.pk, sent_on=date(2026, 10, 21), method="mail", actor=officer)
    for account in (a, b):
        assert_audited("notice.create", account, officer)
        assert_audited("notice.sent", account, officer)
    by_hand = AccountFactory()
    notice_record(
        account_id=by_hand.pk,
        kind="shutoff",
        method="phone",
        sent_on=TODAY,
        actor=officer,
        idempotency_key=str(uuid4()),
    )
    assert_audited("notice.record", by_hand, officer)


def test_bankruptcy_steps_are_audited(officer):
    account = AccountFactory()
    charge(account, "90.00", due=TODAY - timedelta(days=40))
    case = bankruptcy_record(
        account_id=account.pk,
        chapter=13,
        case_number="26-777",
        court="",
        petition_date=TODAY - timedelta(days=2),
        order_for_relief_date=None,
        actor=officer,
    )
    assurance_record(case_id=case.pk, amount=Decimal("50.00"), received_on=TODAY, form="other", actor=officer)
    bankruptcy_dismiss(case_id=case.pk, on=TODAY, note="Dismissed for failure to file", actor=officer)
    for verb in ("bankruptcy.record", "bankruptcy.assurance", "bankruptcy.dismiss"):
        assert_audited(verb, account, officer)


def test_recovery_steps_are_audited(officer, supervisor):
    CollectionAgency.objects.create(name="Desert Recovery Services")
    referred = final_billed(100, "200.00")
    referral_batch_run(business_date=TODAY, actor=officer)
    referral = AgencyReferral.objects.get(account=referred)
    referral_recall(referral_id=referral.pk, reason="Customer disputes the final read", actor=officer)
    assert_audited("referral.create", referred, officer)
    assert_audited("charge.fee", referred, officer)  # the collection fee
    assert_audited("referral.recall", referred, officer)

    owing = AccountFactory(status="final", water__ended_on=TODAY - timedelta(days=200))
    charge(owing, "180.00", due=TODAY - timedelta(days=150))
    for days in (40, 30):  # the evidence "debtor not found" needs
        ContactAttempt.objects.create(
            account=owing, at=timezone.now() - timedelta(days=days), method="phone", made_by=officer
        )
    request = write_off_request(
        account_id=owing.pk,
        criteria="debtor_not_found",
        reason="Mail returned, phone disconnected.",
        actor=officer,
        idempotency_key=uuid4(),
    )
    write_off_decide(
        write_off_id=request.pk, approve=False, note="Try the new address first", actor=supervisor
    )
    assert_audited("write_off.request", owing, officer)
    assert_audited("write_off.reject", owing, supervisor)

    letter_account = AccountFactory()
    credit_letter_issue(account_id=letter_account.pk, addressed_to="Gas Co", actor=officer)
    assert_audited("credit_letter.issue", letter_account, officer)


def test_deposit_steps_are_audited(officer, supervisor, make_user):
    use_policy("DEFAULT", **FLAT_100)
    cashier = make_user("cal", CASHIER)
    waived = AccountFactory()
    deposit = _require(waived, officer, installments=2)
    deposit_waive(deposit_id=deposit.pk, reason="Long-standing owner", actor=supervisor)
    assert_audited("deposit.require", waived, officer)
    assert_audited("deposit.waive", waived, supervisor)

    refunded = AccountFactory()
    held = _held_deposit(refunded, officer, cashier)
    deposits_nightly_run(business_date=date(2026, 11, 3))  # a year of good payment, nothing owed
    deposit_check_issued(deposit_id=held.pk, issued_on=date(2026, 11, 5), actor=supervisor)
    assert_audited("deposit.refund", refunded, None)  # the nightly run
    assert_audited("deposit.check_issued", refunded, supervisor)


def test_a_final_bill_before_the_deposit_is_paid_is_audited(officer):
    """The nightly run credits back what was billed and not paid, and closes the deposit: both
    used to leave no trace on the account."""
    use_policy("DEFAULT", **FLAT_100)
    account = AccountFactory()
    deposit = _require(account, officer, installments=2)
    deposits_nightly_run(business_date=START)  # the first $50 installment is billed, not paid
    bill(account, "40.00", due=START + timedelta(days=20), billed=START + timedelta(days=1), final=True)
    deposits_nightly_run(business_date=START + timedelta(days=1))
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.WAIVED
    assert_audited("deposit.unbilled_cancelled", account, None)
    assert_audited("deposit.waive", account, None)
    event = AuditEvent.objects.get(verb="deposit.unbilled_cancelled")
    assert event.data == {"credited": "50.00", "reason": "final bill"}
