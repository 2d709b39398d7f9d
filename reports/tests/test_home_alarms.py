"""The supervisor home's alarms: each appears when its condition holds and not otherwise, and
none gives a calm "All clear"."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import LedgerCheckRun
from collections_app.models import BatchRun, RunKind, RunStatus
from collections_app.selectors.field_day import shutoff_business_date
from common.models import Job, JobStatus, ScheduledRun
from payments.models import DrawerSession, SessionStatus
from payments.tests.factories import drawer
from policy.selectors import current_policy
from reports.selectors.home_alarms import alarms

pytestmark = pytest.mark.django_db

TODAY = date(2026, 10, 14)  # a Wednesday


def at(hour: int, minute: int = 0, day=TODAY) -> datetime:  # type: ignore[no-untyped-def]
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


NOW = at(8, 30)


@pytest.fixture
def calm() -> None:
    """A night that went well: every nightly entry sent, the ledger balanced, the list made."""
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        ScheduledRun.objects.update_or_create(task=entry["task"], defaults={"last_sent_at": at(4)})
    LedgerCheckRun.objects.create(business_date=TODAY, accounts_checked=10, discrepancies=0)
    BatchRun.objects.create(
        kind=RunKind.SHUTOFF, business_date=shutoff_business_date(today=TODAY), status=RunStatus.FINISHED
    )


def kinds(**kw) -> list[str]:  # type: ignore[no-untyped-def]
    return [a.kind for a in alarms(now=kw.get("now", NOW))]


def tolerance() -> Decimal:
    return Decimal(str(current_policy()[0].param("cashiering.over_short_signoff")))


def session(user, over_short: Decimal, *, closed: datetime, status=SessionStatus.PENDING_SIGNOFF):  # type: ignore[no-untyped-def]
    return DrawerSession.objects.create(
        drawer=drawer(f"D{DrawerSession.objects.count()}"), cashier=user, business_date=closed.date(),
        opening_float=Decimal("100"), status=status, over_short=over_short, closed_at=closed,
    )  # fmt: skip


def test_all_clear(calm) -> None:  # type: ignore[no-untyped-def]
    assert alarms(now=NOW) == []


def test_ledger_discrepancies(calm) -> None:  # type: ignore[no-untyped-def]
    LedgerCheckRun.objects.filter(business_date=TODAY).update(discrepancies=3)
    [alarm] = alarms(now=NOW)
    assert alarm.kind == "ledger" and "3 account(s) out of balance" in alarm.text
    assert alarm.url == "/accounts/ledger-checks/" or alarm.url.endswith("ledger-checks/")


def test_drawer_short_beyond_tolerance(calm, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("cashier1")
    limit = tolerance()
    session(user, -limit, closed=at(17, day=TODAY - timedelta(days=1)), status=SessionStatus.CLOSED)
    session(user, limit + 1, closed=at(7))  # over, awaiting sign-off for 1.5 h: not yet an alarm
    session(user, -(limit + 5), closed=at(17, day=TODAY - timedelta(days=1)), status=SessionStatus.SIGNED_OFF)
    assert kinds() == []
    short = session(user, -(limit + Decimal("0.01")), closed=at(7))
    [alarm] = alarms(now=NOW)
    assert alarm.kind == "drawer" and alarm.url.endswith(f"/sessions/#so-{short.pk}")
    assert f"short ${limit + Decimal('0.01'):,.2f}" in alarm.text


def test_drawer_awaiting_sign_off_for_more_than_a_day(calm, make_user) -> None:  # type: ignore[no-untyped-def]
    old = session(make_user("cashier1"), tolerance() + 1, closed=NOW - timedelta(hours=25))
    [alarm] = alarms(now=NOW)
    assert (
        alarm.kind == "drawer" and "awaiting sign-off" in alarm.text and alarm.url.endswith(f"#so-{old.pk}")
    )


def test_nightly_entry_not_sent(calm) -> None:  # type: ignore[no-untyped-def]
    ScheduledRun.objects.filter(task="collections_app.tasks.fees.late_fees").update(
        last_sent_at=at(4) - timedelta(days=1)
    )
    [alarm] = alarms(now=NOW)
    assert alarm.kind == "not_run" and "late-fees-nightly" in alarm.text
    assert alarms(now=at(1, 40)) == []  # before today's 01:45 (and its grace) it has not failed yet
    assert ScheduledRun.objects.filter(
        task__in=["common.tasks.heartbeat"]
    ).exists()  # frequent ones not judged


def test_ledger_check_missing_for_today(calm) -> None:  # type: ignore[no-untyped-def]
    LedgerCheckRun.objects.filter(business_date=TODAY).update(business_date=TODAY - timedelta(days=1))
    [alarm] = alarms(now=NOW)
    assert alarm.kind == "not_run" and "No ledger check" in alarm.text


def test_shutoff_run_failed_or_missing(calm) -> None:  # type: ignore[no-untyped-def]
    run = BatchRun.objects.get(kind=RunKind.SHUTOFF)
    BatchRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, started_at=at(2, 30))
    [alarm] = alarms(now=NOW)
    assert alarm.kind == "run_failed" and alarm.url.endswith(f"/shutoff/{run.pk}/")
    run.delete()
    [alarm] = alarms(now=NOW)
    assert alarm.kind == "not_run" and "No shutoff list" in alarm.text


def test_batch_run_stalled(calm) -> None:  # type: ignore[no-untyped-def]
    BatchRun.objects.create(kind=RunKind.DEPOSITS, business_date=TODAY, heartbeat_at=NOW - timedelta(hours=3))
    [alarm] = alarms(now=NOW)
    assert alarm.kind == "run_failed" and "stopped" in alarm.text


def test_job_failed_in_the_last_day(calm) -> None:  # type: ignore[no-untyped-def]
    Job.objects.create(kind="x", key="old", label="Old export", permission="x", status=JobStatus.FAILED,
                       finished_at=NOW - timedelta(days=2))  # fmt: skip
    assert alarms(now=NOW) == []
    job = Job.objects.create(kind="x", key="new", label="Notice PDF", permission="x", status=JobStatus.FAILED,
                             finished_at=NOW - timedelta(hours=2))  # fmt: skip
    [alarm] = alarms(now=NOW)
    assert alarm.kind == "job" and "Notice PDF" in alarm.text and alarm.url == job.get_absolute_url()
