"""What the supervisors' approvals queue (common.approvals) needs from counseling: arrangements
above the counselor's authority."""

from collections.abc import Iterator

from django.db.models import QuerySet
from django.urls import reverse

from common.approvals import ApprovalItem, ApprovalKind, decided_by
from counseling.models import Arrangement, ArrangementStatus
from counseling.services.arrangements import arrangement_decide

KIND = "arrangement"


def waiting() -> QuerySet[Arrangement]:
    return Arrangement.objects.filter(status=ArrangementStatus.PENDING_APPROVAL)


def items() -> Iterator[ApprovalItem]:
    rows = waiting().values_list(
        "pk", "created_at", "counselor_id", "counselor__username", "account__number", "total",
        "down_payment", "installment_count", "months", "reason",
    )  # fmt: skip
    for pk, at, counselor_id, counselor, number, total, down, count, months, reason in rows:
        yield ApprovalItem(
            kind=KIND,
            pk=pk,
            requested_at=at,
            requester_id=counselor_id,
            requester=counselor,
            account_number=number,
            amount=total,
            summary=(f"Arrangement over {months} months: ${down:,.2f} down, {count} installments. {reason}")[
                :200
            ],
            url=reverse("counseling:arrangement", args=[pk]),
        )


ARRANGEMENTS = ApprovalKind(
    code=KIND,
    label="Arrangements above authority",
    permission="counseling.approve_arrangement",
    waiting=waiting,
    requester_field="counselor_id",
    items=items,
    **decided_by(arrangement_decide, "arrangement_id"),
)
