"""The receipt page, its prints, and returned items (a tender the bank sent back)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.views.decorators.http import require_POST

from accounts.models import DecisionKind, PolicyDecision
from common.exceptions import DomainError
from common.formatting import format_money
from common.pdf import pdf_response
from payments import forms, pdf
from payments.models import PaymentStatus, ReturnedItem, Tender
from payments.services.receipts import receipt_print_count
from payments.services.returns import RETURNABLE, return_refusals, tender_label, tender_return
from payments.services.voids import void_refusal
from payments.views import _txn


@permission_required("payments.view_payment", raise_exception=True)
def receipt(request: HttpRequest, receipt: str) -> HttpResponse:
    """Reads only: printing is a POST (it counts the print that makes later ones say COPY)."""
    txn = _txn(receipt)
    ctx = pdf.receipt_context(txn, copy=False)
    statuses = {p.status for p in ctx["payments"]}
    # Returns are offered per returnable tender (checks, money orders, electronic...), never for
    # cash or card, and only while no line of the receipt is voided or awaiting a void.
    # The service's own refusals decide the offer (a check whose payment was since moved to
    # another account is refused by it, so it is not offered either).
    lines_returnable = bool(statuses) and statuses <= set(PaymentStatus.returnable())
    refusals = return_refusals(list(ctx["tenders"])) if lines_returnable else {}
    for t in ctx["tenders"]:
        t.label = tender_label(t)
        t.returned_item = getattr(t, "returned", None)
        t.can_return = lines_returnable and t.pk not in refusals
        # said beside a check or other returnable item only: cash and cards never come back
        t.return_refusal = refusals.get(t.pk, "") if t.kind in RETURNABLE and not t.returned_item else ""
    # each returned item's stored NSF decision (fee, cash-only status, the rules checked): one query
    returned = {f"returned:{t.returned_item.pk}": t for t in ctx["tenders"] if t.returned_item}
    nsf_decisions = []
    if returned:
        nsf_decisions = list(
            PolicyDecision.objects.filter(kind=DecisionKind.NSF, subject__in=list(returned))
            .select_related("policy_version", "made_by")
            .order_by("made_at")
        )
    ctx.update(
        void_form=forms.ReasonForm(),
        return_form=forms.ReturnForm(initial={"returned_on": timezone.localdate()}),
        can_void=statuses == {PaymentStatus.POSTED},
        may_void=void_refusal(txn, request.user) is None,
        statuses=statuses,
        nsf_decisions=nsf_decisions,
    )
    return render(request, "payments/receipt.html", ctx)


@require_POST
@permission_required("payments.view_payment", raise_exception=True)
def receipt_print(request: HttpRequest, receipt: str, fmt: str) -> HttpResponse:
    if fmt not in ("pdf", "80mm"):
        raise Http404
    txn = _txn(receipt)
    copy = receipt_print_count(transaction_id=txn.pk, actor=request.user)
    if fmt == "pdf":
        return pdf_response(pdf.receipt_pdf(txn, copy=copy), f"receipt-{receipt}.pdf")
    ctx = pdf.receipt_context(txn, copy=copy)
    with translation.override(ctx["language"]):  # the customer's slip; the staff page stays English
        return render(request, "payments/receipt_80mm.html", ctx)


@require_POST
@permission_required("payments.return_payment", raise_exception=True)
def tender_return_view(request: HttpRequest, tender_id: int) -> HttpResponse:
    tender = get_object_or_404(Tender.objects.select_related("transaction"), pk=tender_id)
    form = forms.ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the date the bank returned it and the bank's reason.")
    else:
        try:
            item = tender_return(
                tender_id=tender.pk,
                returned_on=form.cleaned_data["returned_on"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            accounts = ", ".join(
                f"{ln.payment.account.number} {format_money(ln.amount)}"
                for ln in item.lines.select_related("payment__account").order_by("payment__account__number")
            )
            messages.success(
                request,
                f"Returned {tender_label(tender)} recorded: {format_money(item.amount)} reversed "
                f"({accounts}); "
                + (
                    f"fee {format_money(item.fee)} charged to account {item.fee_account.number}."
                    if item.fee
                    else "no fee (the policy charges none)."
                )
                + (
                    f" Certified funds only until {item.cash_only_until:%b %d, %Y}."
                    if item.cash_only_until
                    else ""
                ),
            )
    return redirect("payments:receipt", receipt=tender.transaction.receipt_number)


@permission_required("payments.return_payment", raise_exception=True)
def nsf_letter(request: HttpRequest, item_id: int) -> HttpResponse:
    item = get_object_or_404(
        ReturnedItem.objects.select_related("tender", "fee_account__customer", "fee_account__premise"),
        pk=item_id,
    )
    return pdf_response(pdf.nsf_letter_pdf(item), f"returned-payment-{item.fee_account.number}.pdf")
