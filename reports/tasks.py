from datetime import date

from celery import shared_task
from django.conf import settings

from reports.rollup import rollup_backfill, rollup_recent


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


@shared_task(acks_late=True)
def rollup_backfill_task(first: str, last: str) -> int:
    """A backfill sent by `reports_rollup --queue` (make run, after loading the demo city): the
    dashboards fill while the system is already up instead of delaying its start."""
    runs = rollup_backfill(first=date.fromisoformat(first), last=date.fromisoformat(last))
    return sum(r.rows for r in runs)
