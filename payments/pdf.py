from decimal import Decimal

from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import Fund
from common.contact import contact_context
from common.documents import document_language
from common.pdf import pdf_render
from payments.models import BankDeposit, CounterTransaction, DrawerSession, Payment, ReturnedItem
from payments.services.notes import receipt_notes
from payments.services.returns import tender_label
from payments.services.sessions import session_expected


def _funds(payment: Payment) -> list[tuple[Fund, Decimal]]:
    """The payment's distribution per fund (posting stores one row per fund and tender)."""
    out: dict[int, list] = {}  # type: ignore[type-arg]
    for d in payment.distribution.all():
        out.setdefault(d.fund_id, [d.fund, Decimal(0)])[1] += d.amount
    return [(fund, amount) for fund, amount in out.values()]


def receipt_context(txn: CounterTransaction, *, copy: bool) -> dict:  # type: ignore[type-arg]
    payments = list(
        txn.payments.select_related("account", "account__customer", "account__premise")
        .prefetch_related("distribution__fund")
        .order_by("account__number")
    )
    notes = receipt_notes(payments=payments, at=txn.created_at)  # e.g. a reconnection ordered
    for p in payments:
        p.funds = _funds(p)
        p.notes = notes.get(p.pk, [])  # type: ignore[attr-defined]
    return {
        "txn": txn,
        "copy": copy,
        "payments": payments,
        "tenders": list(txn.tenders.select_related("returned").order_by("id")),
        # one receipt can pay several accounts: it prints in the first account's customer's language
        "language": document_language(payments[0].account.customer if payments else None),
        **contact_context(),
    }


def receipt_pdf(txn: CounterTransaction, *, copy: bool) -> bytes:
    ctx = receipt_context(txn, copy=copy)
    return pdf_render("payments/pdf/receipt.html", ctx, language=ctx["language"])


def nsf_letter_context(item: ReturnedItem) -> dict:  # type: ignore[type-arg]
    lines = list(
        item.lines.select_related("payment__account__customer", "payment__account__premise").order_by(
            "payment__account__number"
        )
    )
    first = lines[0].payment if lines else None
    account = item.fee_account
    return {
        "item": item,
        "tender": item.tender,
        "label": tender_label(item.tender) if item.tender else gettext("payment"),
        # the reasons the return form offers are in the catalogue; another one prints as typed
        "reason": gettext(item.reason),
        "txn": first.transaction if first else None,
        "others": [t for t in first.transaction.tenders.order_by("id") if t.pk != item.tender_id]
        if first
        else [],
        "paid_on": first.business_date if first else None,
        "lines": lines,
        "accounts": [ln.payment.account for ln in lines],
        "account": account,
        "customer": account.customer,
        "today": timezone.localdate(),
    }


def nsf_letter_pdf(item: ReturnedItem) -> bytes:
    language = document_language(item.fee_account.customer)
    # the context names the item and the bank's reason in words: built in the letter's language
    with translation.override(language):
        ctx = nsf_letter_context(item)
    return pdf_render("payments/pdf/nsf_letter.html", ctx, language=language)


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
