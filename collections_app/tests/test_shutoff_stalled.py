"""A shutoff run whose worker died: shown as *Stalled* with *Resume*, resumed by an officer or by
the watchdog, and the resumed list is the one an uninterrupted run makes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from collections_app.models import BatchRun, RunStatus, ShutoffCandidate
from collections_app.services import shutoff as shutoff_service
from collections_app.services.shutoff import shutoff_chunk, shutoff_prefilter
from collections_app.tests.shutoff_setup import business_day, delinquent, wait_for_run
from collections_app.tests.test_shutoff_run import _city, _expected, _snapshot
from common.models import AuditEvent
from common.watchdog import watchdog_run
from policy.selectors import current_policy


def _stalled_run(day, *, minutes: int = 30) -> BatchRun:  # type: ignore[no-untyped-def]
    """The night's run as a killed worker leaves it: running, 0 of 0, no progress since."""
    run = shutoff_service.shutoff_run_open(business_date=day, actor=None)
    BatchRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=minutes))
    run.refresh_from_db()
    return run


@pytest.mark.django_db
def test_a_stalled_run_shows_stalled_with_resume_and_run_now_resumes_it(
    role_clients, django_capture_on_commit_callbacks
):
    day = business_day()
    delinquent(as_of=day)
    run = _stalled_run(day)
    fresh = BatchRun.objects.create(kind="shutoff", business_date=day - timedelta(days=7))
    assert run.is_stalled and not fresh.is_stalled  # a run moving within the period is not stalled
    fresh.delete()

    officer = role_clients["Collections officer"]
    for url in ("/collections/shutoff/", f"/collections/shutoff/{run.pk}/"):
        page = officer.get(url).content.decode()
        assert 'data-testid="run-status">Stalled<' in page, url
        assert f"/collections/shutoff/{run.pk}/resume/" in page, url
    assert "being computed" not in officer.get("/collections/shutoff/").content.decode()
    # a counselor reads no shutoff list; a supervisor may resume, a counselor may not
    assert role_clients["Counselor"].post(f"/collections/shutoff/{run.pk}/resume/").status_code == 403

    with django_capture_on_commit_callbacks() as callbacks:
        response = officer.post("/collections/shutoff/run-now/", follow=True)
    text = response.content.decode()
    assert "being computed already" not in text and "is resuming" in text
    assert len(callbacks) == 1  # the run's own date handed to a worker, no second run
    audit = AuditEvent.objects.get(verb="shutoff_run.resume")
    assert audit.target_id == str(run.pk) and audit.data["by"] == "officer"
    run.refresh_from_db()
    assert not run.is_stalled, "resuming moves the heartbeat: the watchdog does not resume it again"


@pytest.mark.django_db
def test_resume_refuses_a_finished_list(role_clients):
    day = business_day()
    run = BatchRun.objects.create(kind="shutoff", business_date=day, status=RunStatus.FINISHED)
    response = role_clients["Supervisor"].post(f"/collections/shutoff/{run.pk}/resume/", follow=True)
    assert "nothing to resume" in response.content.decode()
    assert not AuditEvent.objects.filter(verb="shutoff_run.resume").exists()


@pytest.mark.django_db(transaction=True)
def test_the_watchdog_resumes_a_run_whose_worker_died_to_the_same_list(celery_worker, make_user, settings):
    settings.SHUTOFF_CHUNK_SIZE = 3
    user = make_user("carmen", "Counselor")
    day = business_day()
    accounts = _city(day, user)
    ids = shutoff_prefilter(policy=current_policy()[0], as_of=day)
    run = shutoff_service.shutoff_run_open(business_date=day, actor=None)
    BatchRun.objects.filter(pk=run.pk).update(total=9)
    assert shutoff_chunk(run_id=run.pk, account_ids=ids[:3]) == 3  # then the worker was killed
    first = _snapshot(run)
    assert watchdog_run()["resumed"]["shutoff runs"] == 0, "a run that moved recently is left alone"

    stale = timezone.now() - timedelta(minutes=settings.WATCHDOG_STALLED_MINUTES + 1)
    BatchRun.objects.filter(pk=run.pk).update(heartbeat_at=stale)
    assert watchdog_run()["resumed"]["shutoff runs"] == 1
    run = wait_for_run(day)
    assert run.status == RunStatus.FINISHED and run.done == run.total == 9
    after = _snapshot(run)
    assert {k: after[k] for k in first} == first, "decisions made before the kill stand as they were"
    stored = {c.account_id: (c.status, c.deciding_code) for c in ShutoffCandidate.objects.filter(run=run)}
    assert stored == _expected(day, [a.pk for k, a in accounts.items() if k != "too_recent_to_list"])
    assert AuditEvent.objects.filter(verb="shutoff_run.resume", data__by="watchdog").count() == 1
