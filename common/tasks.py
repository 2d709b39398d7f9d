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
