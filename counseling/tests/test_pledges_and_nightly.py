from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.utils import timezone

from accounts.models import Contact
from accounts.tests.factories import AccountFactory, charge
from common.exceptions import DomainError
from conftest import pdf_text
from counseling.models import (
    Arrangement,
    ArrangementStatus,
    FollowUpRun,
    Letter,
    Pledge,
    PledgeStatus,
    ProgramEnrollment,
)
from counseling.pdf import letter_pdf
from counseling.selectors import pledges_by_agency
from counseling.services.agencies import agency_check_post, pledge_record, referral_create
from counseling.services.arrangements import arrangement_propose
from counseling.services.follow_ups import follow_ups_run
from counseling.services.programs import enrollment_create
from counseling.tasks import follow_ups
from counseling.tests.factories import agency, interview
from payments.services.returns import tender_return

TODAY = timezone.localdate()


@pytest.fixture
def counselor(make_user):
    return make_user("carmen", "Counselor")


def _pledge(account, counselor, amount="120.00", pledged_ago=3, agency_name="Valley Community Action", **kw):  # type: ignore[no-untyped-def]
    return pledge_record(
        account_id=account.pk,
        agency_id=agency(agency_name).pk,
        program="LIHEAP",
        amount=Decimal(amount),
        pledged_on=TODAY - timedelta(days=pledged_ago),
        expected_by=kw.get("expected_by"),
        reference="V-1",
        counselor=counselor,
    )


def owing(amount: str = "300.00"):  # type: ignore[no-untyped-def]
    account = AccountFactory()
    charge(account, amount, due=TODAY - timedelta(days=30))
    return account


@pytest.mark.django_db
def test_a_pledge_above_what_is_owed_is_refused_naming_the_amount_owed(counselor):
    account = owing("319.35")
    with pytest.raises(DomainError, match=r"more than the \$319\.35 the account owes"):
        _pledge(account, counselor, "900.00")
    assert not Pledge.objects.exists()
    first = _pledge(account, counselor, "300.00")
    # pending pledges count against what is owed: only $19.35 is left to pledge
    with pytest.raises(DomainError, match=r"owes \$319\.35 and pending pledges already cover \$300\.00"):
        _pledge(account, counselor, "20.00", agency_name="Salvation Army")
    assert _pledge(account, counselor, "19.35", agency_name="Salvation Army").amount == Decimal("19.35")
    assert Pledge.objects.filter(account=account).count() == 2 and first.amount == Decimal("300.00")
    with pytest.raises(DomainError, match="owes nothing"):
        _pledge(AccountFactory(), counselor, "10.00")
    report = {r["name"]: r for r in pledges_by_agency(since=TODAY - timedelta(days=30), until=TODAY)}
    assert report["Valley Community Action"]["pledged"] == Decimal("300.00")


@pytest.mark.django_db
def test_a_pledge_defaults_to_the_agencys_days_to_pay_and_refuses_bad_input(counselor):
    pledge = _pledge(owing(), counselor)
    assert pledge.status == PledgeStatus.PENDING and pledge.expected_by == TODAY - timedelta(
        days=3
    ) + timedelta(days=30)
    with pytest.raises(DomainError, match="more than zero"):
        _pledge(owing(), counselor, amount="0")
    with pytest.raises(DomainError, match="before the pledge date"):
        _pledge(owing(), counselor, expected_by=TODAY - timedelta(days=10))


@pytest.mark.django_db
def test_one_agency_check_pays_pledges_of_many_customers(counselor, make_user):
    supervisor = make_user("grace", "Supervisor")
    a, b = AccountFactory(), AccountFactory()
    for account in (a, b):
        charge(account, "200.00", due=TODAY - timedelta(days=30))
    pa, pb = _pledge(a, counselor, "120.00"), _pledge(b, counselor, "80.00")
    other = _pledge(a, counselor, "50.00", agency_name="Salvation Army")
    txn = agency_check_post(
        agency_id=pa.agency_id,
        check_number="CK-5501",
        actor=supervisor,
        idempotency_key=uuid4(),
        allocations=[(pa.pk, Decimal("120.00")), (pb.pk, Decimal("75.00"))],
    )
    assert txn.total == Decimal("195.00") and txn.payer_name == "Valley Community Action"
    pa.refresh_from_db()
    pb.refresh_from_db()
    other.refresh_from_db()
    assert (pa.status, pa.paid_amount) == (PledgeStatus.PAID, Decimal("120.00"))
    assert (pb.status, pb.paid_amount) == (PledgeStatus.PAID, Decimal("75.00"))
    assert other.status == PledgeStatus.PENDING, "another agency's pledge is not settled by this check"
    a.refresh_from_db()
    assert a.balance == Decimal("80.00")
    report = {r["name"]: r for r in pledges_by_agency(since=TODAY - timedelta(days=30), until=TODAY)}
    assert report["Valley Community Action"]["pledged"] == Decimal("200.00")
    assert report["Valley Community Action"]["paid"] == Decimal("195.00")
    with pytest.raises(DomainError, match="not a pending pledge"):
        agency_check_post(
            agency_id=pa.agency_id,
            check_number="CK-2",
            actor=supervisor,
            idempotency_key=uuid4(),
            allocations=[(other.pk, Decimal("5.00"))],
        )
    # the agency's check bounces: it paid both customers, so both pledges are pending (and
    # holding) again
    tender_return(
        tender_id=txn.tenders.get().pk,
        returned_on=TODAY,
        reason="NSF",
        actor=supervisor,
        idempotency_key=uuid4(),
    )
    pa.refresh_from_db()
    pb.refresh_from_db()
    assert (pa.status, pa.paid_amount) == (PledgeStatus.PENDING, Decimal("0.00"))
    assert (pb.status, pb.paid_amount) == (PledgeStatus.PENDING, Decimal("0.00"))


@pytest.mark.django_db
def test_referral_letter_names_the_agency(counselor):
    account = AccountFactory()
    referral = referral_create(
        account_id=account.pk, agency_id=agency().pk, program="LIHEAP", note="", counselor=counselor
    )
    text = pdf_text(letter_pdf(Letter.objects.get(kind="referral", subject_id=referral.pk)))
    assert (
        "Referral for utility assistance" in text
        and "Valley Community Action" in text
        and account.number in text
    )


@pytest.mark.django_db
def test_low_income_enrollment_needs_a_qualifying_interview(counselor):
    account = AccountFactory()
    charge(account, "50.00", due=TODAY)
    with pytest.raises(DomainError, match="low-income status"):
        enrollment_create(
            account_id=account.pk,
            program="low_income",
            certified_on=TODAY,
            interview_id=None,
            counselor=counselor,
        )
    item = interview(account, counselor, monthly_income="1500.00")
    enrollment = enrollment_create(
        account_id=account.pk,
        program="low_income",
        certified_on=TODAY,
        interview_id=item.pk,
        counselor=counselor,
    )
    assert enrollment.recert_due.year == TODAY.year + 2  # 24 months by default
    with pytest.raises(DomainError, match="already enrolled"):
        enrollment_create(
            account_id=account.pk,
            program="low_income",
            certified_on=TODAY,
            interview_id=item.pk,
            counselor=counselor,
        )


def _nightly_fixture(counselor):  # type: ignore[no-untyped-def]
    """One of everything the night must act on, and one it must leave alone."""
    late = AccountFactory()
    charge(late, "300.00", due=TODAY - timedelta(days=20))
    broken = arrangement_propose(
        account_id=late.pk,
        counselor=counselor,
        down_payment=Decimal("0"),
        installments=3,
        reason="x",
        idempotency_key=uuid4(),
    )
    broken.installments.filter(number=1).update(due_date=TODAY - timedelta(days=2))  # missed
    fine = AccountFactory()
    charge(fine, "90.00", due=TODAY - timedelta(days=20))
    kept = arrangement_propose(
        account_id=fine.pk,
        counselor=counselor,
        down_payment=Decimal("0"),
        installments=3,
        reason="x",
        idempotency_key=uuid4(),
    )
    expiring = _pledge(owing(), counselor, pledged_ago=40, expected_by=TODAY - timedelta(days=1))
    holding = _pledge(owing(), counselor, pledged_ago=1)
    enrolled = AccountFactory()
    charge(enrolled, "10.00", due=TODAY)
    enrollment = enrollment_create(
        account_id=enrolled.pk,
        program="senior",
        certified_on=TODAY - timedelta(days=710),
        interview_id=None,
        counselor=counselor,
    )
    return broken, kept, expiring, holding, enrollment


def _assert_night(broken, kept, expiring, holding, enrollment, counselor):  # type: ignore[no-untyped-def]
    broken.refresh_from_db()
    kept.refresh_from_db()
    assert broken.status == ArrangementStatus.BROKEN and "Installment #1" in broken.end_reason
    assert kept.status == ArrangementStatus.ACTIVE
    assert Pledge.objects.get(pk=expiring.pk).status == PledgeStatus.EXPIRED
    assert Pledge.objects.get(pk=holding.pk).status == PledgeStatus.PENDING
    assert ProgramEnrollment.objects.get(pk=enrollment.pk).reminder_sent_on == TODAY
    follow = Contact.objects.filter(assigned_to=counselor, follow_up_on=TODAY)
    assert follow.count() == 2  # the broken arrangement and the expired pledge
    assert set(Letter.objects.values_list("kind", flat=True)) >= {
        "arrangement_broken",
        "pledge_expired",
        "recert_reminder",
    }


@pytest.mark.django_db
def test_nightly_run_acts_once_per_business_date(counselor):
    items = _nightly_fixture(counselor)
    run = follow_ups_run(business_date=TODAY)
    assert (run.installments_missed, run.arrangements_broken, run.pledges_expired, run.recert_reminders) == (
        1,
        1,
        1,
        1,
    )
    _assert_night(*items, counselor)
    letters, contacts = Letter.objects.count(), Contact.objects.count()
    assert follow_ups_run(business_date=TODAY).pk == run.pk
    assert (Letter.objects.count(), Contact.objects.count()) == (letters, contacts)
    letter = Letter.objects.get(kind="arrangement_broken")
    assert "was not paid" in pdf_text(letter_pdf(letter))


@pytest.mark.django_db(transaction=True)
def test_nightly_follow_ups_on_a_real_worker_twice(celery_worker, counselor):
    items = _nightly_fixture(counselor)
    first = follow_ups.delay(business_date=TODAY.isoformat()).get(timeout=60)
    assert first["arrangements_broken"] == 1 and first["pledges_expired"] == 1 and first["letters"] == 3
    _assert_night(*items, counselor)
    snapshot = (
        Letter.objects.count(),
        Contact.objects.count(),
        list(Arrangement.objects.order_by("pk").values_list("status", flat=True)),
    )
    second = follow_ups.delay(business_date=TODAY.isoformat()).get(timeout=60)
    assert second == first, "the second run reports the same finished run"
    assert snapshot == (
        Letter.objects.count(),
        Contact.objects.count(),
        list(Arrangement.objects.order_by("pk").values_list("status", flat=True)),
    )
    assert FollowUpRun.objects.count() == 1
