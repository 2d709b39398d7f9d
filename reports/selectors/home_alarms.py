"""The supervisor home's alarms: what went wrong overnight or is left waiting, each with the page
where it is dealt with. A fixed number of queries whatever the data (one per kind of alarm).

- the latest nightly ledger check found accounts out of balance;
- a drawer closed short beyond the policy's sign-off tolerance (`cashiering.over_short_signoff`),
  or over/short and awaiting sign-off for more than a day;
- a nightly run that failed (a shutoff/fees/... BatchRun marked failed or stalled) or did not run:
  a daily entry of CELERY_BEAT_SCHEDULE whose time today has passed (plus the watchdog's grace)
  but that was not sent since (common.ScheduledRun records every publish), or the record it
  should have made for the business date is missing (tonight's ledger check, the shutoff list);
- stored jobs (common.Job) that failed in the last day.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from celery.schedules import crontab
from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import LedgerCheckRun
from collections_app.models import BatchRun, RunKind, RunStatus
from collections_app.selectors.field_day import shutoff_business_date
from common.models import Job, JobStatus, ScheduledRun
from common.money import to_money
from payments.models import DrawerSession, SessionStatus
from policy.selectors import current_policy

LIMIT = 10  # rows listed per kind; the count says how many more


@dataclass(frozen=True)
class Alarm:
    kind: str
    text: str
    url: str


# where each nightly batch is looked at (its kind has no page of its own for some)
_RUN_PAGES = {
    RunKind.NOTICES: "collections_app:notices",
    RunKind.DEPOSITS: "collections_app:deposits",
    RunKind.WRITE_OFF: "collections_app:write_offs",
    RunKind.AGENCY: "collections_app:referrals",
    RunKind.REFUNDS: "collections_app:refunds",
}


def _nightly_entries() -> dict[str, tuple[str, crontab]]:
    """task -> (entry name, schedule) for the beat entries that run once a day at a fixed time."""
    out = {}
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        sched = entry["schedule"]
        if isinstance(sched, crontab) and len(sched.hour) == 1 and len(sched.minute) == 1:
            out[entry["task"]] = (name, sched)
    return out


def _due_today(sched: crontab, now: datetime) -> datetime:
    (hour,), (minute,) = sched.hour, sched.minute
    return now.replace(hour=hour, minute=minute, second=0, microsecond=0)


def ledger_alarms(now: datetime) -> list[Alarm]:
    """The latest check's discrepancies; and no check for today once its time (and grace) passed."""
    url = reverse("accounts:ledger_checks")
    latest = LedgerCheckRun.objects.order_by("-business_date").first()
    found = []
    if latest is not None and latest.discrepancies:
        found.append(
            Alarm(
                "ledger",
                f"Ledger check of {latest.business_date:%a %b %-d}: "
                f"{latest.discrepancies:,} account(s) out of balance",
                url,
            )
        )
    today, local = timezone.localdate(now), timezone.localtime(now)
    grace = timedelta(minutes=settings.WATCHDOG_MISSED_GRACE_MINUTES)
    entry = _nightly_entries().get("accounts.tasks.ledger_check")
    if (
        entry
        and local >= _due_today(entry[1], local) + grace
        and (latest is None or latest.business_date < today)
    ):
        found.append(Alarm("not_run", f"No ledger check for {today:%a %b %-d}", url))
    return found


def drawer_alarms(now: datetime) -> list[Alarm]:
    limit = to_money(current_policy()[0].param("cashiering.over_short_signoff"))
    sessions = (
        DrawerSession.objects.filter(status=SessionStatus.PENDING_SIGNOFF)
        .filter(Q(over_short__lt=-limit) | Q(closed_at__lt=now - timedelta(days=1)))
        .select_related("drawer", "cashier")
        .order_by("closed_at", "id")[:LIMIT]
    )
    alarms = []
    for s in sessions:
        if s.over_short is not None and s.over_short < -limit:
            what = f"short ${-s.over_short:,.2f} (tolerance ${limit:,.2f})"
        else:
            since = timezone.localtime(s.closed_at)
            what = f"over/short ${s.over_short:,.2f} awaiting sign-off since {since:%a %b %-d %H:%M}"
        alarms.append(
            Alarm(
                "drawer",
                f"Drawer {s.drawer.code} of {s.business_date:%a %b %-d} ({s.cashier.get_username()}): {what}",
                # the sessions page, at this drawer's sign-off field (its report is a PDF)
                f"{reverse('payments:sessions')}#so-{s.pk}",
            )
        )
    return alarms


def run_alarms(now: datetime) -> list[Alarm]:
    alarms = []
    today = timezone.localdate(now)
    grace = timedelta(minutes=settings.WATCHDOG_MISSED_GRACE_MINUTES)
    sent = dict(ScheduledRun.objects.values_list("task", "last_sent_at"))
    local = timezone.localtime(now)
    for task, (name, sched) in sorted(_nightly_entries().items(), key=lambda i: i[1][0]):
        due = _due_today(sched, local)
        if local >= due + grace and (task not in sent or sent[task] < due):
            alarms.append(
                Alarm("not_run", f"Nightly {name} did not run today (due {due:%H:%M})", reverse("jobs"))
            )
    # sent is not done: the record the shutoff run leaves for its business date (the ledger
    # check's is looked at in ledger_alarms)
    shutoff_day = shutoff_business_date(today=today)
    shutoff_sched = _nightly_entries().get("collections_app.tasks.shutoff.shutoff_nightly")
    stalled = now - timedelta(minutes=settings.WATCHDOG_STALLED_MINUTES)
    runs = list(
        BatchRun.objects.filter(
            Q(status=RunStatus.FAILED, started_at__gte=now - timedelta(days=1))
            | Q(status=RunStatus.RUNNING, heartbeat_at__lt=stalled)
            | Q(kind=RunKind.SHUTOFF, business_date=shutoff_day)
        ).order_by("kind", "business_date")
    )
    for run in runs:
        if run.status == RunStatus.FAILED:
            what = "failed"
        elif run.status == RunStatus.RUNNING and run.heartbeat_at < stalled:
            what = "stopped (no progress)"
        else:
            continue
        page = (
            reverse("collections_app:shutoff_run", args=[run.pk])
            if run.kind == RunKind.SHUTOFF
            else reverse(_RUN_PAGES.get(run.kind, "collections_app:home"))
        )
        alarms.append(Alarm("run_failed", f"{run} {what}", page))
    if (
        shutoff_sched
        and local >= _due_today(shutoff_sched[1], local) + grace
        and not any(r.kind == RunKind.SHUTOFF and r.business_date == shutoff_day for r in runs)
    ):
        alarms.append(
            Alarm(
                "not_run",
                f"No shutoff list for {shutoff_day:%a %b %-d}",
                reverse("collections_app:shutoff_runs"),
            )
        )
    return alarms


def job_alarms(now: datetime) -> list[Alarm]:
    jobs = Job.objects.filter(status=JobStatus.FAILED, finished_at__gte=now - timedelta(days=1)).order_by(
        "-finished_at"
    )[:LIMIT]
    return [Alarm("job", f"Job failed: {job}", job.get_absolute_url()) for job in jobs]


def alarms(*, now: datetime | None = None) -> list[Alarm]:
    now = now or timezone.now()
    return [*ledger_alarms(now), *drawer_alarms(now), *run_alarms(now), *job_alarms(now)]
