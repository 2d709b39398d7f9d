"""Issue 13 "Runs recover by themselves", proven on a REAL worker process: the nightly shutoff
run is started on a `celery worker` subprocess (test database, this checkout's Redis, chunks of
2), the worker is SIGKILLed once the first chunk is stored, the run is left running with no
progress, a fresh worker is started, and the watchdog's pass (a short stalled period) resumes
the run to the very list an uninterrupted run makes. Bounded by worker_process.DEADLINE."""

import time

import pytest

from collections_app.models import BatchRun, RunStatus, ShutoffCandidate
from collections_app.services.shutoff import shutoff_run
from collections_app.tasks.shutoff import shutoff_nightly
from collections_app.tests.shutoff_setup import business_day
from collections_app.tests.test_shutoff_run import _city, _expected
from common.models import AuditEvent
from common.tests.worker_process import worker_processes
from common.watchdog import watchdog_run

STALLED_SECONDS = 2


def _decisions(run: BatchRun) -> dict[int, tuple]:  # type: ignore[type-arg]
    rows = ShutoffCandidate.objects.filter(run=run)
    return {c.account_id: (c.status, c.deciding_code, c.earliest_date, c.past_due) for c in rows}


def _state(run: BatchRun) -> tuple:  # type: ignore[type-arg]
    run.refresh_from_db()
    return run.status, run.done, run.total, run.heartbeat_at, ShutoffCandidate.objects.filter(run=run).count()


@pytest.mark.django_db(transaction=True)
def test_a_run_whose_worker_process_is_killed_is_resumed_by_the_watchdog_to_the_same_list(
    tmp_path, make_user, settings
):
    day = business_day()
    accounts = _city(day, make_user("carmen", "Counselor"))
    # the list a run without the kill makes, then gone, so the night's run starts from nothing
    reference = shutoff_run(business_date=day, inline=True)
    uninterrupted = _decisions(reference)
    assert len(uninterrupted) == 9
    ShutoffCandidate.objects.filter(run=reference).delete()
    reference.delete()

    with worker_processes(tmp_path, DJANGO_SHUTOFF_CHUNK_SIZE="2") as workers:
        first = workers.start("first", KILLTEST_CHUNK_PAUSE="1")  # 9 candidates: 5 chunks, 1 s apart
        shutoff_nightly.delay(business_date=day.isoformat())
        stored = ShutoffCandidate.objects.filter(run__business_date=day)
        workers.wait_until("the first chunk stored", stored.exists)
        workers.kill(first)
        run = BatchRun.objects.get(kind="shutoff", business_date=day)
        killed = _state(run)
        assert killed[0] == RunStatus.RUNNING and 0 < killed[1] < killed[2] == 9
        before_kill = {c.account_id: c.pk for c in stored}
        time.sleep(1.5)
        assert _state(run) == killed, "the run is left running and nothing moves"

        workers.start("fresh")  # takes the chunks still queued; the killed one's is held by Redis
        settings.WATCHDOG_STALLED_MINUTES = STALLED_SECONDS / 60
        passes = []

        def one_pass() -> bool:
            passes.append(watchdog_run())
            return passes[-1]["resumed"]["shutoff runs"] > 0

        workers.wait_until("the watchdog resumes the run", one_pass, every=0.5)
        assert passes[-1]["resumed"]["shutoff runs"] == 1
        workers.wait_until("the resumed run finishes", lambda: _state(run)[0] != RunStatus.RUNNING)

    assert run.status == RunStatus.FINISHED and run.done == run.total == 9
    assert _decisions(run) == uninterrupted, "the identical list, statuses and reasons"
    assert {k: v[:2] for k, v in _decisions(run).items()} == _expected(
        day, [a.pk for k, a in accounts.items() if k != "too_recent_to_list"]
    )
    kept = {c.account_id: c.pk for c in ShutoffCandidate.objects.filter(account_id__in=before_kill, run=run)}
    assert kept == before_kill, "decisions stored before the kill stand as they were"
    assert AuditEvent.objects.filter(verb="shutoff_run.resume", data__by="watchdog").count() == 1
