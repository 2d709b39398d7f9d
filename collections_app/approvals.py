"""What the supervisors' approvals queue (common.approvals) needs from collections: write-offs,
refunds above the limit, and shutoff lists waiting for approval (decided on the list's page)."""

from collections.abc import Iterator

from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from collections_app.models import BatchRun, RunKind, RunStatus, WriteOff, WriteOffStatus
from collections_app.models.refunds import Refund, RefundStatus
from collections_app.services.refunds import refund_decide
from collections_app.services.write_offs import write_off_decide
from common.approvals import ApprovalItem, ApprovalKind, decided_by

WRITE_OFF, REFUND, SHUTOFF_LIST = "write_off", "refund", "shutoff_list"


def write_offs_waiting() -> QuerySet[WriteOff]:
    return WriteOff.objects.filter(status=WriteOffStatus.PENDING)


def write_off_items() -> Iterator[ApprovalItem]:
    rows = write_offs_waiting().values_list(
        "pk", "requested_at", "requested_by_id", "requested_by__username", "account__number", "amount",
        "kind", "criteria", "reason",
    )  # fmt: skip
    for pk, at, requester_id, requester, number, amount, kind, criteria, reason in rows:
        what = (criteria or kind).replace("_", " ")
        yield ApprovalItem(
            kind=WRITE_OFF,
            pk=pk,
            requested_at=at,
            requester_id=requester_id,
            requester=requester or "nightly run",
            account_number=number,
            amount=amount,
            summary=f"Write-off ({what}): {reason}"[:200],
            url=reverse("collections_app:write_offs"),
        )


def refunds_waiting() -> QuerySet[Refund]:
    return Refund.objects.filter(status=RefundStatus.REQUESTED)


def refund_items() -> Iterator[ApprovalItem]:
    rows = refunds_waiting().values_list(
        "pk", "requested_at", "requested_by_id", "requested_by__username", "account__number", "amount",
        "method", "payee", "reason",
    )  # fmt: skip
    methods = dict(Refund._meta.get_field("method").choices or [])
    for pk, at, requester_id, requester, number, amount, method, payee, reason in rows:
        yield ApprovalItem(
            kind=REFUND,
            pk=pk,
            requested_at=at,
            requester_id=requester_id,
            requester=requester or "nightly run",
            account_number=number,
            amount=amount,
            summary=f"Refund by {methods.get(method, method).lower()} to {payee}. {reason}"[:200],
            url=reverse("collections_app:refunds"),
        )


def shutoff_lists_waiting() -> QuerySet[BatchRun]:
    # A finished list for a day gone by is stale (tomorrow's run makes a new one): not waiting.
    return BatchRun.objects.filter(
        kind=RunKind.SHUTOFF, status=RunStatus.FINISHED, business_date__gte=timezone.localdate()
    )


def shutoff_list_items() -> Iterator[ApprovalItem]:
    rows = shutoff_lists_waiting().values_list(
        "pk", Coalesce("finished_at", "started_at"), "started_by__username", "business_date", "counts"
    )
    for pk, at, starter, day, counts in rows:
        listed = (counts or {}).get("by_status", {}).get("listed", 0)
        yield ApprovalItem(
            kind=SHUTOFF_LIST,
            pk=pk,
            requested_at=at,
            # whoever pressed Run now asked for nothing: the list is the policy's, no four eyes
            requester_id=None,
            requester=starter or "nightly run",
            account_number="",
            amount=None,
            summary=f"Shutoff list for {day:%a %b %d}: {listed:,} accounts listed",
            url=reverse("collections_app:shutoff_run", args=[pk]),
        )


WRITE_OFFS = ApprovalKind(
    code=WRITE_OFF,
    label="Write-offs",
    permission="collections_app.approve_writeoff",
    waiting=write_offs_waiting,
    requester_field="requested_by_id",
    items=write_off_items,
    **decided_by(write_off_decide, "write_off_id"),
)
REFUNDS = ApprovalKind(
    code=REFUND,
    label="Refunds above the limit",
    permission="collections_app.approve_refund",
    waiting=refunds_waiting,
    requester_field="requested_by_id",
    items=refund_items,
    **decided_by(refund_decide, "refund_id"),
)
SHUTOFF_LISTS = ApprovalKind(
    code=SHUTOFF_LIST,
    label="Shutoff lists",
    permission="collections_app.approve_shutoff_list",
    waiting=shutoff_lists_waiting,
    requester_field=None,
    items=shutoff_list_items,
    decide_on_own_page=(
        "approving a list turns every listed account into a disconnect order; review the list and "
        "exclude accounts there first."
    ),
)
