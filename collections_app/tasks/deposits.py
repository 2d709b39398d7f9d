"""Deposits, nightly (beat 01:50): installments billed, interest credited, good-payment refunds."""

from celery import shared_task


@shared_task(acks_late=True)
def deposits_nightly(*, business_date: str | None = None) -> dict[str, object]:
    from datetime import date

    from collections_app.services.deposits_nightly import deposits_nightly_run

    run = deposits_nightly_run(business_date=date.fromisoformat(business_date) if business_date else None)
    return dict(run.counts)
