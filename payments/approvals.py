"""What the supervisors' approvals queue (common.approvals) needs from payments: drawer sign-offs
and voids waiting for a supervisor."""

from collections.abc import Iterator

from django.db.models import Min, QuerySet, StringAgg, Sum, Value
from django.urls import reverse

from common.approvals import ApprovalItem, ApprovalKind
from payments.models import CounterTransaction, DrawerSession, Payment, PaymentStatus, SessionStatus
from payments.services.sessions import session_signoff
from payments.services.voids import transaction_void, void_request_reject

SIGNOFF, VOID = "drawer_signoff", "void"


def signoffs_waiting() -> QuerySet[DrawerSession]:
    return DrawerSession.objects.filter(status=SessionStatus.PENDING_SIGNOFF)


def signoff_items() -> Iterator[ApprovalItem]:
    rows = signoffs_waiting().values_list(
        "pk", "closed_at", "cashier_id", "cashier__username", "drawer__code", "business_date", "over_short",
        "close_note",
    )  # fmt: skip
    for pk, closed_at, cashier_id, cashier, drawer, day, over_short, note in rows:
        word = "over" if over_short > 0 else "short"
        yield ApprovalItem(
            kind=SIGNOFF,
            pk=pk,
            requested_at=closed_at,
            requester_id=cashier_id,
            requester=cashier,
            account_number="",
            amount=over_short,
            summary=f"Drawer {drawer} of {day:%b %d} closed {word}. {note}"[:200],
            url=reverse("payments:session_report", args=[pk]),
        )


def _signoff(*, pk: int, reason: str, actor) -> DrawerSession:  # type: ignore[no-untyped-def]
    return session_signoff(session_id=pk, supervisor=actor, reason=reason)


def voids_waiting() -> QuerySet[CounterTransaction]:
    return CounterTransaction.objects.filter(
        pk__in=Payment.objects.filter(status=PaymentStatus.VOID_PENDING).values("transaction_id")
    )


def void_items() -> Iterator[ApprovalItem]:
    # One query: the receipt's waiting payments grouped (a receipt may pay several accounts).
    rows = (
        Payment.objects.filter(status=PaymentStatus.VOID_PENDING)
        .values("transaction_id")
        .annotate(
            total=Sum("amount"),
            first_account=Min("account__number"),
            first_reason=Min("void_reason"),
            accounts=StringAgg("account__number", Value(", "), distinct=True),
        )
        .values_list(
            "transaction_id", "transaction__created_at", "transaction__created_by_id",
            "transaction__created_by__username", "transaction__receipt_number", "total", "first_account",
            "first_reason", "accounts",
        )
        .order_by()
    )  # fmt: skip
    for pk, at, requester_id, requester, receipt, amount, account, reason, accounts in rows:
        more = f" (accounts {accounts})" if accounts != account else ""
        yield ApprovalItem(
            kind=VOID,
            pk=pk,
            requested_at=at,  # no request time is stored: the receipt's own time
            requester_id=requester_id,
            requester=requester,
            account_number=account,
            amount=amount,
            summary=f"Void receipt {receipt}{more}: {reason}"[:200],
            url=reverse("payments:receipt", args=[receipt]),
        )


def _void(*, pk: int, reason: str, actor) -> CounterTransaction:  # type: ignore[no-untyped-def]
    # the service refuses a void of the actor's own receipt (four eyes) under its locks
    return transaction_void(
        transaction_id=pk, reason=reason or "approved by supervisor", actor=actor, requested_only=True
    )


def _void_reject(*, pk: int, reason: str, actor) -> None:  # type: ignore[no-untyped-def]
    void_request_reject(transaction_id=pk, actor=actor, note=reason)


SIGNOFFS = ApprovalKind(
    code=SIGNOFF,
    label="Drawer sign-offs (over/short)",
    permission="payments.signoff_drawersession",
    waiting=signoffs_waiting,
    requester_field="cashier_id",
    items=signoff_items,
    approve=_signoff,
    approve_label="Sign off",
)
VOIDS = ApprovalKind(
    code=VOID,
    label="Voids waiting for a supervisor",
    permission="payments.void_any_payment",
    waiting=voids_waiting,
    requester_field="created_by_id",
    items=void_items,
    approve=_void,
    reject=_void_reject,
    approve_label="Approve void",
)
