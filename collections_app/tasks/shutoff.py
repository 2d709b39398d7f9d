"""Tasks of the shutoff list and service orders: ids and dates in, one service call each.

The nightly run fans out as one Celery chord: a task per chunk of candidates, then the finish.
`acks_late` (settings) leaves a chunk's message with the broker until it is done, so a worker
killed mid-chunk gives the chunk to another worker; storing decisions is idempotent per
(run, account), so the chunk running twice stores each decision once.
"""

from datetime import date
from typing import Any

from celery import shared_task


@shared_task(acks_late=True)
def shutoff_nightly(*, business_date: str | None = None, actor_id: int | None = None) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from collections_app.selectors.field_day import shutoff_business_date
    from collections_app.services.shutoff import shutoff_run
    from collections_app.services.shutoff_refresh import shutoff_run_refresh

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    # beat passes no date: tonight's list is for the next field day (Monday's, on a Sunday)
    day = (
        date.fromisoformat(business_date)
        if business_date
        else shutoff_business_date(today=timezone.localdate())
    )
    # a list prepared on an earlier night (Saturday's for Monday) is decided again tonight
    shutoff_run_refresh(business_date=day, tonight=timezone.localdate())
    run = shutoff_run(business_date=day, actor=actor, inline=False)
    return {"run_id": run.pk, "status": run.status, "total": run.total}


@shared_task(acks_late=True)
def shutoff_chunk_task(*, run_id: int, account_ids: list[int]) -> int:
    from collections_app.services.shutoff import shutoff_chunk

    return shutoff_chunk(run_id=run_id, account_ids=account_ids)


@shared_task(acks_late=True)
def shutoff_finish_task(*, run_id: int) -> str:
    from collections_app.services.shutoff import shutoff_finish

    return shutoff_finish(run_id=run_id).status


@shared_task
def shutoff_failed_task(request: Any = None, exc: Any = None, traceback: Any = None, *, run_id: int) -> None:
    """Errback of the chord: a chunk failed for good. The run is marked failed; running it again
    (the button, or tomorrow's beat for a new date) resumes with the accounts not yet decided."""
    from collections_app.services.shutoff import shutoff_fail

    shutoff_fail(run_id=run_id, error=f"A chunk of the run failed: {exc!r}"[:2000])


@shared_task(acks_late=True)
def reconnect_sweep() -> int:
    from collections_app.services.reconnect import reconnect_sweep as sweep

    return sweep()
