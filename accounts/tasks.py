from celery import shared_task


@shared_task(acks_late=True)
def ledger_check(*, business_date: str | None = None) -> dict[str, int]:
    from datetime import date

    from accounts.services.ledger_check import ledger_check_run

    run = ledger_check_run(business_date=date.fromisoformat(business_date) if business_date else None)
    return {"accounts_checked": run.accounts_checked, "discrepancies": run.discrepancies}
