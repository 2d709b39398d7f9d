"""Stalled shutoff runs: found, shown, and resumed (by an officer's *Resume* or the watchdog).

A run is stalled when it is still *running* but its heartbeat (moved at start, resume and each
stored chunk) is older than WATCHDOG_STALLED_MINUTES: its worker died (the chord's messages
would only come back after the broker's visibility timeout), or the prefilter never finished (0
of 0). Resuming goes through the ordinary path, `shutoff_nightly` for the run's business date:
`shutoff_run` keeps the decisions already stored (pinned to the run's policy version) and decides
only the accounts still missing, so the resumed list is identical to an uninterrupted one.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from collections_app.models import BatchRun, RunKind, RunStatus
from collections_app.selectors.shutoff import stalled_shutoff_runs
from common.audit import audit_record
from common.exceptions import DomainError

log = logging.getLogger(__name__)


def shutoff_run_resume(*, run_id: int, actor=None) -> BatchRun:  # type: ignore[no-untyped-def]
    """Resume a stalled (or failed) run: audited, then handed to a worker. A run that is moving
    again, or finished meanwhile (a double click, the watchdog first), is left alone."""
    with transaction.atomic(durable=True):
        run = BatchRun.objects.select_for_update(no_key=True).filter(pk=run_id, kind=RunKind.SHUTOFF).first()
        if run is None:
            raise DomainError("run.not_found", "No such shutoff list.")
        if run.status == RunStatus.RUNNING and not run.is_stalled:
            return run
        if run.status not in (RunStatus.RUNNING, RunStatus.FAILED):
            raise DomainError("run.not_resumable", "This list has finished; there is nothing to resume.")
        # The heartbeat moves now, so the watchdog's next pass does not resume it a second time
        # while this resume waits for a worker.
        run.heartbeat_at = timezone.now()
        run.save(update_fields=["heartbeat_at"])
        if run.status == RunStatus.RUNNING:  # a failed run's resume is audited by shutoff_run itself
            audit_record(
                actor=actor,
                verb="shutoff_run.resume",
                target=run,
                data={"done": run.done, "total": run.total, "by": "officer" if actor else "watchdog"},
            )
        from collections_app.tasks.shutoff import shutoff_nightly

        # if the broker is down this is logged, not raised (ResilientTask): the heartbeat goes
        # stale again and the watchdog's next pass resumes the run
        shutoff_nightly.delay_on_commit(
            business_date=run.business_date.isoformat(), actor_id=actor.pk if actor else None
        )
    return run


def resume_stalled_shutoff_runs(stalled_after: timedelta) -> int:
    """The watchdog's check (registered in CollectionsConfig.ready)."""
    ids = list(stalled_shutoff_runs(stalled_after=stalled_after).values_list("pk", flat=True))
    for run_id in ids:
        log.warning("watchdog: shutoff run %s made no progress for %s; resuming it", run_id, stalled_after)
        shutoff_run_resume(run_id=run_id, actor=None)
    return len(ids)
