"""The nightly list is for the next field day: on a Sunday it prepares Monday's list, decided as
of Monday, and says so on the pages and in the CSV; *Run now* shows the run at once."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from collections_app.models import BatchRun, CandidateStatus, RunStatus, ShutoffCandidate
from collections_app.selectors.field_day import is_field_day, next_field_day
from collections_app.tasks.shutoff import shutoff_nightly
from collections_app.tests.export_jobs import export_job, job_csv
from collections_app.tests.shutoff_setup import business_day, delinquent, weekday_holiday
from policy.models import Holiday
from policy.selectors import current_policy
from policy_engine.calendar import Calendar

pytestmark = pytest.mark.django_db


def _sunday_and_monday() -> tuple[date, date]:
    """A past Sunday and the field day after it (Monday, or later when Monday is a holiday)."""
    sunday = business_day() + timedelta(days=4)
    cal = Calendar(Holiday.objects.values_list("date", flat=True))
    return sunday, cal.next_business_day(sunday)


def _today(monkeypatch, day: date) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)


def test_field_days_follow_the_policys_blackout_calendar():
    policy, _ = current_policy()
    sunday, monday = _sunday_and_monday()
    assert not is_field_day(policy, sunday) and not is_field_day(policy, sunday - timedelta(days=1))
    assert next_field_day(policy, sunday - timedelta(days=1)) == monday
    assert next_field_day(policy, monday) == monday
    holiday = weekday_holiday()
    assert next_field_day(policy, holiday) > holiday


def test_a_sunday_night_prepares_the_list_for_monday(monkeypatch):
    sunday, monday = _sunday_and_monday()
    plain = delinquent(as_of=sunday)
    _today(monkeypatch, sunday)

    result = shutoff_nightly()  # what beat sends at 02:30: no date
    run = BatchRun.objects.get(pk=result["run_id"])
    assert run.business_date == monday, "the list is for the next field day, not the blackout day"
    row = ShutoffCandidate.objects.get(run=run, account=plain)
    assert (row.status, row.earliest_date) == (CandidateStatus.LISTED, monday)
    assert row.decision["as_of"] == monday.isoformat(), "decided as of the field day"
    assert run.counts["by_status"]["listed"] == 1

    # Monday's own night finds Monday's list there: one run per business date
    _today(monkeypatch, monday)
    again = shutoff_nightly()
    assert again["run_id"] == run.pk
    assert BatchRun.objects.filter(kind="shutoff").count() == 1


@pytest.mark.django_db(transaction=True, databases=["default", "jobs"])
def test_the_pages_and_the_csv_name_the_field_day(client, make_user, monkeypatch, celery_worker):
    sunday, monday = _sunday_and_monday()
    delinquent(as_of=sunday)
    _today(monkeypatch, sunday)
    run = BatchRun.objects.get(pk=shutoff_nightly()["run_id"])
    client.force_login(make_user("olivia", "Collections officer"))

    runs = client.get("/collections/shutoff/").content.decode()
    assert f"next field day: <b>{monday:%A, %b %d, %Y}</b>" in runs
    detail = client.get(f"/collections/shutoff/{run.pk}/").content.decode()
    assert f"For field day <b>{monday:%A, %b %d, %Y}</b>" in detail
    _, rows = job_csv(client, export_job(client, f"/collections/shutoff/{run.pk}/export.csv"))  # a job
    assert rows[0][-1] == "field day" and rows[1][-1] == monday.isoformat()


def test_run_now_shows_the_run_and_its_progress_at_once(client, make_user, monkeypatch):
    from collections_app.tasks import shutoff as tasks

    sunday, monday = _sunday_and_monday()
    _today(monkeypatch, sunday)
    sent = []
    monkeypatch.setattr(tasks.shutoff_nightly, "delay", lambda **kw: sent.append(kw))  # no worker yet
    client.force_login(make_user("olivia", "Collections officer"))

    page = client.post("/collections/shutoff/run-now/", follow=True).content.decode()
    assert "No shutoff list yet" not in page
    run = BatchRun.objects.get(kind="shutoff")
    assert (run.business_date, run.status) == (monday, RunStatus.RUNNING)
    assert f'id="run-progress-{run.pk}"' in page and "Queued" in page
    assert sent == [{"business_date": monday.isoformat(), "actor_id": run.started_by_id}]


NOTICE_CODES = {"NOTICE_NOT_SENT", "NOTICE_EXPIRED", "NOTICE_TOO_EARLY"}


def test_on_a_weekend_the_list_and_the_notice_cut_agree_on_who_needs_a_notice(monkeypatch):
    """That Sunday the list said 130 need a notice and the notice batch found none: the list was
    for Sunday, and notices go out on business days. The list is now for the field day, and the
    shutoff-notice cut for that day finds exactly the listed accounts the list says need one."""
    from collections_app.services.notices import notice_batch_plan

    sunday, monday = _sunday_and_monday()
    needs = [delinquent(as_of=sunday, notice_days=None) for _ in range(3)]
    expired = delinquent(as_of=sunday, notice_days=200)  # a notice far too old to count
    has_one = delinquent(as_of=sunday)  # notice 14 days ago: listed, needs none
    _today(monkeypatch, sunday)
    run = BatchRun.objects.get(pk=shutoff_nightly()["run_id"])
    assert run.business_date == monday

    rows = ShutoffCandidate.objects.filter(run=run)
    listed_needing = {r.account_id for r in rows if r.deciding_code in NOTICE_CODES}
    assert listed_needing == {a.pk for a in needs} | {expired.pk}
    assert rows.get(account=has_one).status == CandidateStatus.LISTED

    policy, _ = current_policy()
    planned = {
        p.account_id
        for p in notice_batch_plan(policy=policy, kind="shutoff", business_date=run.business_date)
    }
    assert planned & {r.account_id for r in rows} == listed_needing


def test_a_list_prepared_on_saturday_is_decided_again_on_sunday_keeping_exclusions(monkeypatch, make_user):
    """Monday's list must see the weekend's payments: a finished, unapproved list computed on an
    earlier night is decided again (its exclusions, an officer's decisions, carried over)."""
    from accounts.tests.factories import pay
    from collections_app.services.shutoff import candidate_exclude
    from common.models import AuditEvent

    sunday, monday = _sunday_and_monday()
    saturday = sunday - timedelta(days=1)
    payer, excluded = delinquent(as_of=saturday), delinquent(as_of=saturday)
    _today(monkeypatch, saturday)
    run = BatchRun.objects.get(pk=shutoff_nightly()["run_id"])
    assert run.business_date == monday
    assert ShutoffCandidate.objects.get(run=run, account=payer).status == CandidateStatus.LISTED
    kept = ShutoffCandidate.objects.get(run=run, account=excluded)
    candidate_exclude(
        candidate_id=kept.pk, reason="Crew safety: dog", actor=make_user("olga", "Collections officer")
    )
    # computed early on Saturday (the test's clock only moves the business date)
    BatchRun.objects.filter(pk=run.pk).update(
        started_at=timezone.make_aware(timezone.datetime(saturday.year, saturday.month, saturday.day, 2, 30))
    )

    pay(payer, str(payer.balance), on=sunday, reference="SUN-1")  # pays in full on Sunday
    _today(monkeypatch, sunday)
    again = shutoff_nightly()
    run.refresh_from_db()
    assert again["run_id"] == run.pk and run.status == RunStatus.FINISHED
    assert not ShutoffCandidate.objects.filter(run=run, account=payer, status=CandidateStatus.LISTED).exists()
    still = ShutoffCandidate.objects.get(run=run, account=excluded)
    assert (still.pk, still.excluded, still.exclude_reason) == (kept.pk, True, "Crew safety: dog")
    assert AuditEvent.objects.filter(verb="shutoff_run.refresh", target_id=str(run.pk)).count() == 1

    # a second pass the same night changes nothing
    shutoff_nightly()
    assert AuditEvent.objects.filter(verb="shutoff_run.refresh", target_id=str(run.pk)).count() == 1


def test_an_approved_list_is_never_decided_again(monkeypatch, make_user):
    from collections_app.services.shutoff import shutoff_list_approve

    sunday, _monday = _sunday_and_monday()
    saturday = sunday - timedelta(days=1)
    delinquent(as_of=saturday)
    _today(monkeypatch, saturday)
    run = BatchRun.objects.get(pk=shutoff_nightly()["run_id"])
    shutoff_list_approve(run_id=run.pk, actor=make_user("sam", "Supervisor"))
    BatchRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - timedelta(days=3))
    _today(monkeypatch, sunday)
    shutoff_nightly()
    run.refresh_from_db()
    assert run.status == RunStatus.APPROVED
