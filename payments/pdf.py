from django.utils import timezone

from common.pdf import pdf_render
from payments.models import BankDeposit, CounterTransaction, DrawerSession, ReturnedItem
from payments.services.notes import receipt_notes
from payments.services.sessions import session_expected


def receipt_context(txn: CounterTransaction, *, copy: bool) -> dict:  # type: ignore[type-arg]
    payments = list(
        txn.payments.select_related("account", "account__customer", "account__premise")
        .prefetch_related("distribution__fund")
        .order_by("account__number")
    )
    notes = receipt_notes(payments=payments, at=txn.created_at)  # e.g. a reconnection ordered
    for p in payments:
        p.notes = notes.get(p.pk, [])  # type: ignore[attr-defined]
    return {"txn": txn, "copy": copy, "payments": payments, "tenders": list(txn.tenders.all())}


def receipt_pdf(txn: CounterTransaction, *, copy: bool) -> bytes:
    return pdf_render("payments/pdf/receipt.html", receipt_context(txn, copy=copy))


def nsf_letter_pdf(item: ReturnedItem) -> bytes:
    payment = item.payment
    return pdf_render(
        "payments/pdf/nsf_letter.html",
        {
            "item": item,
            "payment": payment,
            "account": payment.account,
            "customer": payment.account.customer,
            "today": timezone.localdate(),
        },
    )


def session_report_pdf(session: DrawerSession) -> bytes:
    txns = list(session.transactions.prefetch_related("tenders", "payments__account").order_by("id"))
    live = [t for t in txns if not any(p.status == "voided" for p in t.payments.all())]
    voided = [t for t in txns if t not in live]
    by_kind: dict[str, list] = {}  # type: ignore[type-arg]
    for t in live:
        for tender in t.tenders.all():
            by_kind.setdefault(tender.get_kind_display(), []).append((t, tender))
    return pdf_render(
        "payments/pdf/session_report.html",
        {
            "session": session,
            "by_kind": by_kind,
            "voided": voided,
            "expected": session_expected(session=session) if session.status == "open" else None,
            "printed_at": timezone.localtime(),
        },
    )


def deposit_slip_pdf(deposit: BankDeposit) -> bytes:
    sessions = list(deposit.sessions.select_related("drawer", "cashier").order_by("pk"))
    checks = [
        tender
        for s in sessions
        for t in s.transactions.prefetch_related("tenders")
        for tender in t.tenders.all()
        if tender.kind == "check" and not t.payments.filter(status="voided").exists()
    ]
    return pdf_render(
        "payments/pdf/deposit_slip.html", {"deposit": deposit, "sessions": sessions, "checks": checks}
    )
