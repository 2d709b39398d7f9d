"""Nightly refund task (thin: a date in, one service). Safe to run twice: the run is once per
business date and an unclaimed check is returned once."""

from datetime import date

from celery import shared_task
from django.utils import timezone


@shared_task(acks_late=True)
def refunds_nightly(*, business_date: str | None = None) -> dict[str, object]:
    from collections_app.services.refunds_nightly import refunds_nightly_run

    day = date.fromisoformat(business_date) if business_date else timezone.localdate()
    run = refunds_nightly_run(business_date=day)
    return {"run": run.pk, **run.counts}
