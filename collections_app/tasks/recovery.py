"""Nightly recovery tasks (thin: a date in, one service each). Safe to run twice: both services
are idempotent per business date (and per referral-month for interest)."""

from datetime import date

from celery import shared_task
from django.utils import timezone


def _day(business_date: str | None) -> date:
    return date.fromisoformat(business_date) if business_date else timezone.localdate()


@shared_task(acks_late=True)
def small_balance_write_off(*, business_date: str | None = None) -> dict[str, object]:
    from collections_app.services.write_offs import small_balance_run

    run = small_balance_run(business_date=_day(business_date))
    return {"run": run.pk, **run.counts}


@shared_task(acks_late=True)
def agency_referrals(*, business_date: str | None = None) -> dict[str, object]:
    from collections_app.services.agency import referral_batch_run
    from common.exceptions import DomainError

    try:
        run = referral_batch_run(business_date=_day(business_date))
    except DomainError as exc:  # no agency configured yet: nothing to do, not a failure to retry
        return {"skipped": exc.message}
    return {"run": run.pk, **run.counts}


@shared_task(acks_late=True)
def referral_interest(*, business_date: str | None = None) -> dict[str, object]:
    from collections_app.services.agency import referral_interest_run

    return referral_interest_run(as_of=_day(business_date))
