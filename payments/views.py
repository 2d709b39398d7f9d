import csv
import re
from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.selectors.account_page import follow_ups_due
from common.exceptions import DomainError
from common.pdf import pdf_response
from payments import forms, pdf
from payments.import_jobs import payment_file_submit
from payments.models import (
    BankDeposit,
    CounterTransaction,
    DrawerSession,
    PaymentStatus,
    SessionStatus,
)
from payments.selectors import gl_journal, open_session_for
from payments.services.deposits import deposit_advance, deposit_prepare
from payments.services.notes import preview_notes
from payments.services.posting import Line, TenderSpec, distribution_preview, transaction_post
from payments.services.sessions import session_close, session_open, session_signoff
from payments.services.voids import transaction_void, void_refusal, void_request_reject

CASHIER = "common.use_cashiering"


def _counter_forms(data=None):  # type: ignore[no-untyped-def]
    if data is not None and (picks := {k: v for k, v in data.items() if re.fullmatch(r"line-\d+-pick", k)}):
        # an account chosen from a line's list of matches replaces what was typed on that line
        data = data.copy()
        for key, number in picks.items():
            data[key.removesuffix("pick") + "account"] = number
    return (
        forms.LineFormSet(data, prefix="line"),
        forms.TenderFormSet(data, prefix="tender"),
        forms.PostMetaForm(data),
    )


def _parse(lines_fs, tenders_fs):  # type: ignore[no-untyped-def]
    lines = [
        Line(f.cleaned_data["account_obj"].pk, f.cleaned_data["amount"])
        for f in lines_fs
        if f.cleaned_data.get("account_obj")
    ]
    tenders = [
        TenderSpec(
            kind=f.cleaned_data["kind"],
            amount=f.cleaned_data["amount"],
            check_number=f.cleaned_data.get("check_number", ""),
            bank_name=f.cleaned_data.get("bank_name", ""),
            card_last4=f.cleaned_data.get("card_last4", ""),
            auth_code=f.cleaned_data.get("auth_code", ""),
            reference=f.cleaned_data.get("check_number", "") if f.cleaned_data["kind"] != "check" else "",
        )
        for f in tenders_fs
        if f.cleaned_data.get("kind")
    ]
    return lines, tenders


@permission_required(CASHIER, raise_exception=True)
def home(request: HttpRequest) -> HttpResponse:
    session = open_session_for(request.user)
    if session is None:
        form = forms.OpenSessionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                session_open(
                    drawer_id=form.cleaned_data["drawer"].pk,
                    cashier=request.user,
                    opening_float=form.cleaned_data["opening_float"],
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "Drawer open. You can take payments.")
                return redirect("payments:home")
        followups = follow_ups_due(user=request.user, through=timezone.localdate())[:10]
        return render(request, "payments/home.html", {"open_form": form, "followups": followups})
    lines_fs, tenders_fs, meta = _counter_forms()
    recent = session.transactions.order_by("-id").prefetch_related("payments__account")[:10]
    ctx = {"session": session, "lines_fs": lines_fs, "tenders_fs": tenders_fs, "meta": meta, "recent": recent}
    return render(request, "payments/counter.html", {**ctx, "focus": "id_line-0-account"})


@require_POST
@permission_required(CASHIER, raise_exception=True)
def post_payment(request: HttpRequest) -> HttpResponse:
    session = open_session_for(request.user)
    if session is None:
        messages.error(request, "Open a drawer session before taking payments.")
        return redirect("payments:home")
    lines_fs, tenders_fs, meta = _counter_forms(request.POST)
    preview, error = None, None
    if lines_fs.is_valid() and tenders_fs.is_valid() and meta.is_valid():
        lines, tenders = _parse(lines_fs, tenders_fs)
        if request.POST.get("action") == "post":
            try:
                txn = transaction_post(
                    lines=lines,
                    tenders=tenders,
                    actor=request.user,
                    session_id=session.pk,
                    idempotency_key=meta.cleaned_data["idempotency_key"],
                    payer_name=meta.cleaned_data["payer_name"],
                )
            except DomainError as exc:
                error = exc.message
            else:
                url = reverse("payments:receipt", args=[txn.receipt_number])
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
        if lines and not error:
            preview = distribution_preview(lines=lines, as_of=session.business_date)
            # what other areas must tell the cashier first (a disconnected service, a fee to come)
            notes = preview_notes(
                lines=[(ln.account_id, ln.amount) for ln in lines], as_of=session.business_date
            )
            for p in preview:
                p.notes = notes.get(p.account.pk, [])  # type: ignore[attr-defined]
        elif not lines:
            error = "Add at least one account to pay."
        if preview and tenders:
            total = sum((ln.amount for ln in lines), Decimal(0))
            cash = sum((t.amount for t in tenders if t.kind == "cash"), Decimal(0))
            other = sum((t.amount for t in tenders if t.kind != "cash"), Decimal(0))
            preview_change = max(cash + other - total, Decimal(0)) if other <= total else None
        else:
            preview_change = None
    else:
        preview_change = None
    ctx = {
        "session": session,
        "focus": _focus(request.POST, lines_fs),
        "lines_fs": lines_fs,
        "tenders_fs": tenders_fs,
        "meta": meta,
        "preview": preview,
        "change": preview_change,
        "error": error,
        "recent": session.transactions.order_by("-id").prefetch_related("payments__account")[:10],
    }
    template = "payments/counter.html#workspace" if request.htmx else "payments/counter.html"
    return render(request, template, ctx)


def _focus(data, lines_fs) -> str:  # type: ignore[no-untyped-def]
    """Where the keyboard goes after a round trip: a line's list of matching accounts, else the
    amount of the line whose account was just chosen, else the first account field."""
    for f in lines_fs:
        if getattr(f, "picks", None):
            return f"pick:{f.prefix}"
    for f in lines_fs:
        if data.get(f.add_prefix("pick")):
            return f.auto_id % f.add_prefix("amount")
    return lines_fs[0].auto_id % lines_fs[0].add_prefix("account")


def _txn(receipt: str) -> CounterTransaction:
    return get_object_or_404(
        CounterTransaction.objects.select_related("session__drawer", "created_by"), receipt_number=receipt
    )


@require_POST
@permission_required("payments.view_payment", raise_exception=True)
def void(request: HttpRequest, receipt: str) -> HttpResponse:
    txn = _txn(receipt)
    if refusal := void_refusal(txn, request.user):
        raise PermissionDenied(refusal)
    form = forms.ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the reason for the void.")
    else:
        try:
            transaction_void(transaction_id=txn.pk, reason=form.cleaned_data["reason"], actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            voided = txn.payments.filter(status=PaymentStatus.VOIDED).exists()
            messages.success(
                request, "Receipt voided." if voided else "Void sent to a supervisor for approval."
            )
    return redirect("payments:receipt", receipt=receipt)


@require_POST
@permission_required("payments.void_any_payment", raise_exception=True)
def void_reject(request: HttpRequest, receipt: str) -> HttpResponse:
    try:
        void_request_reject(
            transaction_id=_txn(receipt).pk, actor=request.user, note=request.POST.get("note", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Void request rejected; the payment stands.")
    return redirect("payments:sessions")


@permission_required(CASHIER, raise_exception=True)
def close(request: HttpRequest) -> HttpResponse:
    session = open_session_for(request.user)
    if session is None:
        last = (
            DrawerSession.objects.filter(cashier=request.user)
            .exclude(status=SessionStatus.OPEN)
            .order_by("-id")
            .first()
        )
        if last is None:
            return redirect("payments:home")
        return render(request, "payments/close_result.html", {"session": last})
    form = forms.CloseSessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            session_close(
                session_id=session.pk,
                cashier=request.user,
                denominations=form.denominations(),
                checks_total=d["checks_total"],
                check_count=d["check_count"],
                cards_total=d["cards_total"],
                other_total=d["other_total"],
                note=d["note"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("payments:close")
    # Blind: the expected totals are not in this page's context at all.
    return render(request, "payments/close.html", {"session": session, "form": form})


def _session_for(request: HttpRequest, pk: int) -> DrawerSession:
    session = get_object_or_404(
        DrawerSession.objects.select_related("drawer", "cashier", "signed_off_by"), pk=pk
    )
    if session.cashier_id != request.user.pk and not request.user.has_perm("payments.view_all_sessions"):
        raise Http404
    return session


@permission_required("payments.view_payment", raise_exception=True)
def session_report(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_for(request, pk)
    if session.status == SessionStatus.OPEN and not request.user.has_perm("payments.view_all_sessions"):
        raise Http404  # a cashier sees their totals only after the blind count
    return pdf_response(
        pdf.session_report_pdf(session), f"drawer-{session.drawer.code}-{session.business_date}.pdf"
    )


@permission_required("payments.view_all_sessions", raise_exception=True)
def sessions(request: HttpRequest) -> HttpResponse:
    open_now = (
        DrawerSession.objects.filter(status=SessionStatus.OPEN)
        .select_related("drawer", "cashier")
        .annotate(receipts=Count("transactions"), taken=Sum("transactions__total"))
        .order_by("drawer__code")
    )
    pending = DrawerSession.objects.filter(status=SessionStatus.PENDING_SIGNOFF).select_related(
        "drawer", "cashier"
    )
    history = (
        DrawerSession.objects.exclude(status=SessionStatus.OPEN)
        .values("cashier__username")
        .annotate(
            sessions=Count("id"),
            over=Sum("over_short", filter=Q(over_short__gt=0)),
            short=Sum("over_short", filter=Q(over_short__lt=0)),
            net=Sum("over_short"),
        )
        .order_by("cashier__username")
    )
    voids = (
        CounterTransaction.objects.filter(payments__status=PaymentStatus.VOID_PENDING)
        .distinct()
        .select_related("created_by")
        .prefetch_related("payments")
    )
    return render(
        request,
        "payments/sessions.html",
        {
            "open_now": open_now,
            "pending": pending,
            "history": history,
            "voids": voids,
            "reason_form": forms.ReasonForm(),
        },
    )


@require_POST
@permission_required("payments.signoff_drawersession", raise_exception=True)
def signoff(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        session_signoff(session_id=pk, supervisor=request.user, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Drawer signed off.")
    return redirect("payments:sessions")


@permission_required("payments.add_bankdeposit", raise_exception=True)
def deposits(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            dep = deposit_prepare(
                session_ids=[int(i) for i in request.POST.getlist("session") if i.isdigit()],
                actor=request.user,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Deposit {dep.number} prepared: ${dep.total:,.2f}.")
            return redirect("payments:deposits")
    ready = (
        DrawerSession.objects.filter(
            status__in=[SessionStatus.CLOSED, SessionStatus.SIGNED_OFF], bank_deposit__isnull=True
        )
        .select_related("drawer", "cashier")
        .order_by("pk")
    )
    recent = BankDeposit.objects.order_by("-id")[:20]
    day = request.GET.get("day", "")
    try:
        gl_day = date.fromisoformat(day) if day else timezone.localdate()
    except ValueError:
        messages.error(request, "Enter the journal date as YYYY-MM-DD.")
        gl_day = timezone.localdate()
    journal = gl_journal(day=gl_day)
    return render(
        request,
        "payments/deposits.html",
        {
            "ready": ready,
            "recent": recent,
            "gl_day": gl_day,
            "journal": journal,
            "gl_total": sum((r.net for r in journal), Decimal(0)),
            "file_form": forms.PaymentFileForm(),
        },
    )


@require_POST
@permission_required("payments.change_bankdeposit", raise_exception=True)
def deposit_next(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        deposit_advance(
            deposit_id=pk, actor=request.user, bank_reference=request.POST.get("bank_reference", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("payments:deposits")


@permission_required("payments.add_bankdeposit", raise_exception=True)
def deposit_slip(request: HttpRequest, pk: int) -> HttpResponse:
    deposit = get_object_or_404(BankDeposit.objects.select_related("prepared_by"), pk=pk)
    return pdf_response(pdf.deposit_slip_pdf(deposit), f"deposit-{deposit.number}.pdf")


@permission_required("payments.export_gl", raise_exception=True)
def gl_export(request: HttpRequest) -> HttpResponse:
    try:
        day = date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return HttpResponse("Give ?day=YYYY-MM-DD", status=400, content_type="text/plain")
    rows = gl_journal(day=day)
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="gl-journal-{day}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["business_date", "fund_code", "gl_fund_code", "fund_name", "payments", "reversals", "net"]
    )
    for r in rows:
        writer.writerow([day, r.fund_code, r.gl_code, r.fund_name, r.payments, r.reversals, r.net])
    writer.writerow(
        [
            day,
            "TOTAL",
            "",
            "",
            sum((r.payments for r in rows), Decimal(0)),
            sum((r.reversals for r in rows), Decimal(0)),
            sum((r.net for r in rows), Decimal(0)),
        ]
    )
    return response


@permission_required("payments.import_payment_file", raise_exception=True)
def file_import(request: HttpRequest) -> HttpResponse:
    """The file is stored as a job and posted by a worker; staff watch it on the job's page."""
    form = forms.PaymentFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = payment_file_submit(
            data=upload.read(), file_name=upload.name, source=form.cleaned_data["source"], actor=request.user
        )
        return redirect(job.get_absolute_url())
    return render(request, "payments/file_import.html", {"form": form})
