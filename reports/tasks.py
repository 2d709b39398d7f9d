from celery import shared_task
from django.conf import settings

from reports.rollup import rollup_recent


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def rollup_nightly() -> int:
    """The last REPORTS_ROLLUP_DAYS days: late postings and back-dated entries land in them."""
    return rollup_recent(days=settings.REPORTS_ROLLUP_DAYS).rows


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def rollup_today() -> int:
    """Today only, every 15 minutes: the day's figures stay current."""
    return rollup_recent(days=1).rows
