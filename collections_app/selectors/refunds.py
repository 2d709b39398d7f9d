"""Reads for credit balance refunds: where an account's credit sits, what may be refunded, the
payment a card refund goes back to, the approval queue and the register."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, QuerySet, Sum

from accounts.models import Account, Fund, FundKind, LedgerEntry
from accounts.services.ledger import CREDIT_FUND_CODE
from collections_app.models.refunds import OPEN_STATUSES, Refund, RefundLine, RefundMethod, RefundStatus
from common.money import to_money
from payments.models import Payment, PaymentStatus, Tender, TenderKind

ORIGINAL_TENDERS = (TenderKind.CARD, TenderKind.ELECTRONIC)
# Refunds that took money off a payment and kept it off: a card refund cannot exceed what was paid.
SPENT_STATUSES = (*OPEN_STATUSES, RefundStatus.ISSUED, RefundStatus.CASHED)


@dataclass(frozen=True)
class FundCredit:
    fund: Fund
    credit: Decimal  # positive: how much the fund holds for the customer


def fund_credits(*, account_id: int) -> list[FundCredit]:
    """The funds whose entries sum below zero (each holds part of the customer's credit), the
    customer-credit fund first, then by fund priority. A deposit fund is left out: a deposit held
    is refunded by the deposit process, never as a credit balance."""
    rows = (
        LedgerEntry.objects.filter(account_id=account_id)
        .values("fund_id")
        .annotate(balance=Sum("amount"))
        .filter(balance__lt=0)
        .order_by()
    )
    sums = {r["fund_id"]: to_money(-r["balance"]) for r in rows}
    if not sums:
        return []
    funds = Fund.objects.filter(pk__in=sums).exclude(kind=FundKind.DEPOSIT)
    out = [FundCredit(f, sums[f.pk]) for f in funds]
    return sorted(out, key=lambda c: (c.fund.code != CREDIT_FUND_CODE, c.fund.priority, c.fund.code))


def refundable(*, account: Account, credits: list[FundCredit]) -> Decimal:
    """The most that may be refunded: the credit balance, and no more than the funds hold (a
    fund still owed nets against the credit; a deposit held is not part of it)."""
    if account.balance >= 0:
        return Decimal("0.00")
    return to_money(min(-account.balance, sum((c.credit for c in credits), Decimal(0))))


def split_by_fund(*, amount: Decimal, credits: list[FundCredit]) -> list[tuple[Fund, Decimal]]:
    """Take `amount` from the funds in order; sums exactly to `amount` (caller checked it fits)."""
    plan, left = [], to_money(amount)
    for c in credits:
        if left <= 0:
            break
        take = min(left, c.credit)
        plan.append((c.fund, take))
        left -= take
    return plan


def latest_original_payment(*, account_id: int) -> Payment | None:
    """The newest posted card or electronic payment: a refund 'to the original payment' goes back
    through it (never a voided or returned one)."""
    return (
        Payment.objects.filter(
            account_id=account_id, status=PaymentStatus.POSTED, tender_kind__in=ORIGINAL_TENDERS
        )
        .select_related("transaction")
        .prefetch_related(Prefetch("transaction__tenders", queryset=Tender.objects.order_by("id")))
        .order_by("-business_date", "-id")
        .first()
    )


def refunded_from_payment(*, payment_id: int, excluding: int | None = None) -> Decimal:
    qs = Refund.objects.filter(payment_id=payment_id, status__in=SPENT_STATUSES)
    if excluding is not None:
        qs = qs.exclude(pk=excluding)
    return to_money(qs.aggregate(s=Sum("amount"))["s"] or 0)


def payment_label(payment: Payment) -> str:
    """'Card ending 4242, receipt R-…, Mar 02, 2026' (tenders prefetched by the caller)."""
    card = next((t.card_last4 for t in payment.transaction.tenders.all() if t.card_last4), "")
    kind = f"Card ending {card}" if card else payment.get_tender_kind_display()
    return f"{kind}, receipt {payment.transaction.receipt_number}, {payment.business_date:%b %d, %Y}"


def _with_people(qs: QuerySet[Refund]) -> QuerySet[Refund]:
    return qs.select_related(
        "account",
        "account__customer",
        "requested_by",
        "approved_by",
        "issued_by",
        "decided_by",
        "payment",
        "payment__transaction",
    ).prefetch_related(
        Prefetch("lines", queryset=RefundLine.objects.select_related("fund").order_by("id")),
        Prefetch("payment__transaction__tenders", queryset=Tender.objects.order_by("id")),
    )


def refund_queue() -> dict[str, list[Refund]]:
    """Awaiting approval, approved awaiting issue, checks out (not yet cashed)."""
    rows = list(
        _with_people(
            Refund.objects.filter(
                status__in=[RefundStatus.REQUESTED, RefundStatus.APPROVED, RefundStatus.ISSUED]
            ).exclude(status=RefundStatus.ISSUED, method=RefundMethod.ORIGINAL_PAYMENT)
        ).order_by("requested_at", "id")
    )
    return {
        "requested": [r for r in rows if r.status == RefundStatus.REQUESTED],
        "approved": [r for r in rows if r.status == RefundStatus.APPROVED],
        "outstanding": [r for r in rows if r.status == RefundStatus.ISSUED],
    }


def refund_register(
    *,
    issued_from: date | None = None,
    issued_to: date | None = None,
    status: str = "",
    method: str = "",
) -> QuerySet[Refund]:
    """Every refund, newest first; the dates bound the issue date (so they list issued refunds)."""
    qs = Refund.objects.all()
    if issued_from:
        qs = qs.filter(issued_on__gte=issued_from)
    if issued_to:
        qs = qs.filter(issued_on__lte=issued_to)
    if status:
        qs = qs.filter(status=status)
    if method:
        qs = qs.filter(method=method)
    return _with_people(qs).order_by("-issued_on", "-id")


def account_refunds(*, account_id: int) -> list[Refund]:
    """For the account page: one query, newest first."""
    return list(Refund.objects.filter(account_id=account_id).order_by("-requested_at", "-id")[:10])


# The register's CSV for accounts payable (an export job: collections_app.export_jobs).
REGISTER_COLUMNS = [
    "refund_id",
    "account_number",
    "payee",
    "mailing_address",
    "amount",
    "method",
    "fund",
    "status",
    "approved_by",
    "issued_on",
    "check_number",
]


def safe_cell(value: object) -> str:
    """A cell a spreadsheet will not run as a formula (a payee typed as '=HYPERLINK(...)')."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def register_csv_rows(qs: QuerySet[Refund]) -> Iterator[list[str]]:
    """The register's CSV data rows, streamed (.iterator(); the chunk size keeps the prefetches)."""
    for r in qs.iterator(chunk_size=2000):
        yield [
            safe_cell(v)
            for v in (
                r.pk,
                r.account.number,
                r.payee,
                r.mailing_address.replace("\n", ", ")
                if r.method == RefundMethod.CHECK
                else (payment_label(r.payment) if r.payment else ""),
                r.amount,
                r.method,
                r.fund_label,
                r.status,
                r.approver_label,
                r.issued_on.isoformat() if r.issued_on else "",
                r.check_number,
            )
        ]
