from celery import shared_task


@shared_task(acks_late=True)
def follow_ups(*, business_date: str | None = None) -> dict[str, int]:
    from datetime import date

    from counseling.services.follow_ups import follow_ups_run

    run = follow_ups_run(business_date=date.fromisoformat(business_date) if business_date else None)
    return {
        "installments_missed": run.installments_missed,
        "arrangements_broken": run.arrangements_broken,
        "pledges_expired": run.pledges_expired,
        "recert_reminders": run.recert_reminders,
        "enrollments_expired": run.enrollments_expired,
        "letters": run.letters,
    }
