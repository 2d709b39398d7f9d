"""The collections officer's start-of-day summary: a handful of aggregate queries."""

from typing import Any

from django.db.models import Count, Q

from collections_app.models import BatchRun, NoticeBatch, RunKind, ServiceOrder, WriteOff


def collections_today() -> dict[str, Any]:
    latest_run = BatchRun.objects.filter(kind=RunKind.SHUTOFF).order_by("-business_date").first()
    orders = ServiceOrder.objects.aggregate(
        open=Count("id", filter=Q(status="open")), dispatched=Count("id", filter=Q(status="dispatched"))
    )
    return {
        "run": latest_run,
        "orders": orders,
        "unsent_batches": NoticeBatch.objects.filter(sent_on__isnull=True).count(),
        "pending_write_offs": WriteOff.objects.filter(status="pending").count(),
    }
