"""Late fees, nightly (beat 01:45, after the ledger check and before the shutoff list)."""

from celery import shared_task


@shared_task(acks_late=True)
def late_fees(*, business_date: str | None = None) -> dict[str, object]:
    from datetime import date

    from collections_app.services.late_fees import late_fees_run

    run = late_fees_run(business_date=date.fromisoformat(business_date) if business_date else None)
    return {k: run.counts.get(k) for k in ("fees", "amount", "waived", "accounts")}
