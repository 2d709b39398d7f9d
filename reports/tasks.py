from celery import shared_task
from django.conf import settings

from reports.rollup import rollup_recent


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def rollup_nightly() -> int:
    """The last REPORTS_ROLLUP_DAYS days: late postings and back-dated entries land in them; the
    aging snapshot (a replay of the whole ledger) for today only."""
    return rollup_recent(days=settings.REPORTS_ROLLUP_DAYS, snapshots="last").rows


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def rollup_today() -> int:
    """Today only, every 15 minutes: the day's figures stay current (the aging snapshot is the
    night's: replaying the ledger every 15 minutes would cost minutes at city scale)."""
    return rollup_recent(days=1, snapshots="none").rows
