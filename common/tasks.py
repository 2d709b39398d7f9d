import time

from celery import shared_task
from django.core.cache import cache

from common.health import HEARTBEAT_KEY


@shared_task
def ping(*, payload: str) -> str:
    """Round trip through the broker and a worker; the integration tests and operators use it."""
    return f"pong:{payload}"


@shared_task(ignore_result=True)
def heartbeat() -> None:
    cache.set(HEARTBEAT_KEY, time.time(), timeout=None)


@shared_task(ignore_result=True)
def watchdog() -> None:
    """Beat, every few minutes: resume stalled work and send scheduled work beat dropped."""
    from common.watchdog import watchdog_run

    watchdog_run()


# Long jobs (common.jobs): thin tasks, safe to run twice. A job whose worker dies starts over (its
# transaction died with it) when the watchdog sends it again (common.jobs_recovery) or acks_late
# brings its message back, whichever comes first; the other finds it running and does nothing.
@shared_task(ignore_result=True)
def job_run(*, job_id: int) -> None:
    from common.jobs import job_execute

    job_execute(job_id)


@shared_task(ignore_result=True)
def job_part_run(*, job_id: int, index: int) -> None:
    from common.jobs import job_part_execute

    job_part_execute(job_id, index)


@shared_task(ignore_result=True)
def job_join_run(*, job_id: int) -> None:
    from common.jobs import job_join_execute

    job_join_execute(job_id)
