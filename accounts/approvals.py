"""What the supervisors' approvals queue (common.approvals) needs from accounts: adjustments."""

from collections.abc import Iterator

from django.db.models import QuerySet
from django.urls import reverse

from accounts.models import Adjustment, AdjustmentStatus
from accounts.services.adjustments import adjustment_decide
from common.approvals import ApprovalItem, ApprovalKind, decided_by

KIND = "adjustment"


def waiting() -> QuerySet[Adjustment]:
    return Adjustment.objects.filter(status=AdjustmentStatus.PENDING)


def items() -> Iterator[ApprovalItem]:
    rows = waiting().values_list(
        "pk", "requested_at", "requested_by_id", "requested_by__username", "account__number",
        "amount", "reason__label", "fund__code", "note",
    )  # fmt: skip
    for pk, at, requester_id, requester, number, amount, reason, fund, note in rows:
        yield ApprovalItem(
            kind=KIND,
            pk=pk,
            requested_at=at,
            requester_id=requester_id,
            requester=requester,
            account_number=number,
            amount=amount,
            summary=f"{'Credit' if amount < 0 else 'Charge'} to {fund}: {reason}. {note}"[:200],
            url=reverse("accounts:detail", args=[number]),
        )


ADJUSTMENTS = ApprovalKind(
    code=KIND,
    label="Adjustments above the limit",
    permission="accounts.approve_adjustment",
    waiting=waiting,
    requester_field="requested_by_id",
    items=items,
    **decided_by(adjustment_decide, "adjustment_id"),
)
