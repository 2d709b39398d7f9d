"""Accounts for the shutoff tests: delinquent under the DEFAULT policy (60 days past due, a
shutoff notice 7 business days before), and the same account with each protection on record."""

import time as clock
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from accounts.models import Account
from accounts.tests.factories import AccountFactory, CustomerFactory, charge
from collections_app.models import Appeal, BankruptcyCase, BatchRun, MedicalCertificate, Notice, RunStatus
from counseling.models import Arrangement, Installment, Pledge
from counseling.tests.factories import agency
from policy.models import Holiday, PolicyVersion
from policy_engine.calendar import Calendar


def business_day() -> date:
    """The latest Wednesday on or before today that is not a holiday (a permitted day under
    DEFAULT: the tests of weekends and holidays choose those on purpose)."""
    cal = Calendar(Holiday.objects.values_list("date", flat=True))
    day = timezone.localdate()
    while day.weekday() != 2 or not cal.is_business_day(day):
        day -= timedelta(days=1)
    return day


def weekday_holiday() -> date:
    """The latest holiday on a weekday, on or before today."""
    for day in (
        Holiday.objects.filter(date__lte=timezone.localdate())
        .order_by("-date")
        .values_list("date", flat=True)
    ):
        if day.weekday() < 5:
            return day
    raise AssertionError("no weekday holiday in the calendar")


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def delinquent(
    *,
    as_of: date,
    days: int = 90,
    amount: str = "150.00",
    notice_days: int | None = 14,
    number: str | None = None,
    first: str = "Maria",
    last: str | None = None,
) -> Account:
    extra = {"number": number} if number else {}
    customer = CustomerFactory(first_name=first, **({"last_name": last} if last else {}))
    account = AccountFactory(customer=customer, **extra)
    due = as_of - timedelta(days=days)
    charge(account, amount, due=due, billed=due - timedelta(days=21))
    if notice_days is not None:
        Notice.objects.create(
            account=account,
            kind="shutoff",
            method="mail",
            addressee=customer.display_name,
            amount_due=Decimal(amount),
            sent_on=as_of - timedelta(days=notice_days),
            idempotency_key=f"test-notice-{account.pk}",
        )
    return account


def protect(kind: str, account: Account, *, as_of: date, user) -> None:  # type: ignore[no-untyped-def]
    """Put one protection on record for the account, dated before `as_of`."""
    if kind == "pledge":
        Pledge.objects.create(
            account=account,
            agency=agency(),
            program="LIHEAP",
            amount=Decimal("100.00"),
            pledged_on=as_of - timedelta(days=3),
            expected_by=as_of + timedelta(days=20),
            counselor=user,
        )
    elif kind == "arrangement":
        arr = Arrangement.objects.create(
            account=account,
            counselor=user,
            status="active",
            total=account.balance,
            installment_count=3,
            months=3,
            reason="test",
            idempotency_key=f"test-arr-{account.pk}",
        )
        Arrangement.objects.filter(pk=arr.pk).update(created_at=at(as_of - timedelta(days=5)))
        for n in range(1, 4):
            Installment.objects.create(
                arrangement=arr, number=n, due_date=as_of + timedelta(days=30 * n), amount=account.balance / 3
            )
    elif kind == "medical":
        MedicalCertificate.objects.create(
            account=account, received_on=as_of - timedelta(days=5), certifier="Dr. Lee", recorded_by=user
        )
    elif kind == "appeal":
        Appeal.objects.create(
            account=account, opened_on=as_of - timedelta(days=2), subject="High bill", opened_by=user
        )
    elif kind == "bankruptcy":
        BankruptcyCase.objects.create(
            account=account,
            chapter=7,
            case_number=f"26-{account.pk}",
            petition_date=as_of - timedelta(days=5),
            pre_petition_balance=account.balance,
            assurance_deadline=as_of + timedelta(days=15),
            recorded_by=user,
        )
    else:
        raise ValueError(kind)


def any_day_policy() -> PolicyVersion:
    """A policy version that allows disconnection any day, for tests that act 'now' (dispatch,
    completion) whatever day of the week the suite runs on."""
    return PolicyVersion.objects.create(
        version=2,
        name="Test utility (no blackout days)",
        presets=["DEFAULT"],
        overrides={"blackout.weekdays": [], "blackout.holidays": False},
        note="tests act on any day",
    )


def wait_for_run(business_date: date, timeout: float = 90) -> BatchRun:
    deadline = clock.monotonic() + timeout
    while clock.monotonic() < deadline:
        run = BatchRun.objects.filter(kind="shutoff", business_date=business_date).first()
        if run is not None and run.status != RunStatus.RUNNING:
            return run
        clock.sleep(0.3)
    raise AssertionError(f"the run of {business_date} did not finish in {timeout} s")


def sessions_now() -> int:
    """Connections open to the test database (the threads of a run open their own)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


def sessions_settle_to(count: int) -> bool:
    """A closed connection's server process leaves pg_stat_activity a moment after the client
    hangs up: wait for it (up to 5 s) rather than race it."""
    for _ in range(50):
        if sessions_now() == count:
            return True
        clock.sleep(0.1)
    return False
