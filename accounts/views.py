from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts import forms
from accounts.import_jobs import bill_import_submit
from accounts.models import Account, Adjustment, AdjustmentStatus, Contact, DecisionKind, LedgerCheckRun
from accounts.selectors.account_page import (
    account_page,
    follow_ups_due,
    ledger_entries_page,
    payment_groups,
    policy_decisions_page,
)
from accounts.selectors.funds import funds_for_display
from accounts.selectors.search import account_search
from accounts.services.account_changes import (
    account_due_day_change,
    customer_contact_update,
    service_start,
    service_stop,
    service_transfer,
)
from accounts.services.adjustments import adjustment_decide, adjustment_request, approval_limit
from accounts.services.bills import bill_file_columns
from accounts.services.contacts import contact_follow_up_done, contact_log
from accounts.services.transfers import payment_transfer
from common.exceptions import DomainError

VIEW = "accounts.view_account"


def _account(number: str) -> Account:
    return get_object_or_404(Account.objects.select_related("customer", "premise"), number=number)


@permission_required(VIEW, raise_exception=True)
def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    after = request.GET.get("after", "")
    hits = account_search(q=q, after=after)
    ctx = {"q": q, "hits": hits, "next_after": hits[-1].cursor if len(hits) == 25 else ""}
    if request.htmx:
        return render(request, "accounts/search.html#results", ctx)
    return render(request, "accounts/search.html", ctx)


@permission_required(VIEW, raise_exception=True)
def detail(request: HttpRequest, number: str) -> HttpResponse:
    try:
        ctx = account_page(number=number, today=timezone.localdate(), user=request.user)
    except Account.DoesNotExist:
        raise Http404 from None
    return render(request, "accounts/account_detail.html", ctx)


@permission_required(VIEW, raise_exception=True)
def entries(request: HttpRequest, number: str) -> HttpResponse:
    account = _account(number)
    before = request.GET.get("before", "")
    rows = ledger_entries_page(
        account_id=account.pk, before_id=int(before) if before.isdigit() else None, limit=51
    )
    return render(
        request,
        "accounts/entries.html",
        {"account": account, "entries": rows[:50], "next_before": rows[49].pk if len(rows) > 50 else None},
    )


@permission_required(VIEW, raise_exception=True)
def decisions(request: HttpRequest, number: str) -> HttpResponse:
    account = _account(number)
    kind = request.GET.get("kind", "")
    if kind not in DecisionKind.values:
        kind = ""
    before = request.GET.get("before", "")
    rows = policy_decisions_page(
        account_id=account.pk, kind=kind, before_id=int(before) if before.isdigit() else None, limit=51
    )
    return render(
        request,
        "accounts/decisions.html",
        {
            "account": account,
            "decisions": rows[:50],
            "kind": kind,
            "kinds": DecisionKind.choices,
            "next_before": rows[49].pk if len(rows) > 50 else None,
        },
    )


def _form_page(request: HttpRequest, account: Account | None, form, title: str, **extra) -> HttpResponse:  # type: ignore[no-untyped-def]
    return render(request, "accounts/form.html", {"account": account, "form": form, "title": title, **extra})


@permission_required("accounts.add_adjustment", raise_exception=True)
def adjust(request: HttpRequest, number: str) -> HttpResponse:
    account = _account(number)
    form = forms.AdjustmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            adj = adjustment_request(
                account_id=account.pk,
                fund_id=d["fund"].pk,
                amount=d["amount"],
                reason_id=d["reason"].pk,
                note=d["note"],
                actor=request.user,
                idempotency_key=d["idempotency_key"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                "Adjustment posted."
                if adj.status == AdjustmentStatus.POSTED
                else f"Adjustment sent for approval: this account's adjustments today come to more than "
                f"${approval_limit():,.2f}, so someone other than you must approve it.",
            )
            return redirect("accounts:detail", number=number)
    return _form_page(
        request,
        account,
        form,
        "Adjust the balance",
        help=f"When one account's adjustments in a day (credits and debits alike, by anyone, this one "
        f"included) come to more than ${approval_limit():,.2f}, the adjustment waits until someone other "
        "than you approves it, whatever your role.",
    )


@permission_required("accounts.approve_adjustment", raise_exception=True)
def adjustments_pending(request: HttpRequest) -> HttpResponse:
    pending = (
        Adjustment.objects.filter(status=AdjustmentStatus.PENDING)
        .select_related("account", "fund", "reason", "requested_by")
        .order_by("requested_at")
    )
    return render(
        request, "accounts/adjustments_pending.html", {"pending": pending, "form": forms.DecisionForm()}
    )


@require_POST
@permission_required("accounts.approve_adjustment", raise_exception=True)
def adjustment_decision(request: HttpRequest, pk: int) -> HttpResponse:
    approve = request.POST.get("decision") == "approve"
    try:
        adjustment_decide(
            adjustment_id=pk, approve=approve, note=request.POST.get("note", ""), actor=request.user
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Adjustment approved and posted." if approve else "Adjustment rejected.")
    return redirect("accounts:adjustments_pending")


@permission_required("accounts.transfer_payment", raise_exception=True)
def transfer(request: HttpRequest, number: str) -> HttpResponse:
    account = _account(number)
    form = forms.TransferForm(request.POST or None, payments=payment_groups(account_id=account.pk))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        paid_on, reference = d["payment"].split("|", 1)
        try:
            payment_transfer(
                from_account_id=account.pk,
                reference=reference,
                paid_on=date.fromisoformat(paid_on),
                to_account_number=d["to_account_number"],
                reason_id=d["reason"].pk,
                note=d["note"],
                actor=request.user,
                idempotency_key=d["idempotency_key"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Payment moved to account {d['to_account_number'].strip()}.")
            return redirect("accounts:detail", number=number)
    return _form_page(request, account, form, "Move a misapplied payment")


@permission_required("accounts.add_contact", raise_exception=True)
def contact(request: HttpRequest, number: str) -> HttpResponse:
    account = _account(number)
    form = forms.ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            contact_log(
                account_id=account.pk,
                channel=d["channel"],
                inbound=d["inbound"],
                reason_id=d["reason"].pk,
                outcome=d["outcome"],
                note=d["note"],
                follow_up_on=d["follow_up_on"],
                escalated=d["escalated"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Contact logged.")
            return redirect("accounts:detail", number=number)
    return _form_page(request, account, form, "Log a contact")


@permission_required(VIEW, raise_exception=True)
def followups(request: HttpRequest) -> HttpResponse:
    due = follow_ups_due(user=request.user, through=timezone.localdate() + timedelta(days=7))
    return render(request, "accounts/followups.html", {"due": due, "today": timezone.localdate()})


@require_POST
@permission_required(VIEW, raise_exception=True)
def followup_done(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(Contact, pk=pk)
    try:
        contact_follow_up_done(contact_id=pk, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Follow-up marked done.")
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)  # the queue the button was pressed on (e.g. escalated calls)
    return redirect("accounts:followups")


@permission_required("accounts.change_account", raise_exception=True)
def edit_contact_info(request: HttpRequest, number: str) -> HttpResponse:
    account = _account(number)
    c = account.customer
    form = forms.ContactInfoForm(
        request.POST or None, initial={f: getattr(c, f) for f in forms.ContactInfoForm.base_fields}
    )
    if request.method == "POST" and form.is_valid():
        try:
            customer_contact_update(account_id=account.pk, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Contact details saved.")
            return redirect("accounts:detail", number=number)
    return _form_page(request, account, form, "Mailing address and contact details")


@permission_required("accounts.change_account", raise_exception=True)
def due_day(request: HttpRequest, number: str) -> HttpResponse:
    account = _account(number)
    form = forms.DueDayForm(request.POST or None, initial={"due_day": account.due_day})
    if request.method == "POST" and form.is_valid():
        account_due_day_change(
            account_id=account.pk, due_day=form.cleaned_data["due_day"], actor=request.user
        )
        messages.success(request, "Due day changed.")
        return redirect("accounts:detail", number=number)
    return _form_page(request, account, form, "Change the due day")


@permission_required("accounts.change_service", raise_exception=True)
def service_change(request: HttpRequest, number: str, action: str) -> HttpResponse:
    if action not in ("start", "stop", "transfer"):
        raise Http404
    account = _account(number)
    live = list(account.services.filter(ended_on__isnull=True))
    form_class = {
        "start": forms.ServiceStartForm,
        "stop": forms.ServiceStopForm,
        "transfer": forms.ServiceTransferForm,
    }[action]
    kwargs = {"live": live} if action == "stop" else {}
    form = form_class(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if action == "start":
                service_start(
                    account_id=account.pk,
                    utility=d["utility"],
                    on=d["on"],
                    actor=request.user,
                    meter_number=d["meter_number"],
                )
            elif action == "stop":
                service_stop(account_id=account.pk, utility=d["utility"], on=d["on"], actor=request.user)
            else:
                new = service_transfer(
                    account_id=account.pk, premise_id=d["premise"].pk, on=d["on"], actor=request.user
                )
                messages.success(request, f"Service transferred; the new account is {new.number}.")
                return redirect("accounts:detail", number=new.number)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Service updated.")
            return redirect("accounts:detail", number=number)
    titles = {
        "start": "Start a service",
        "stop": "Stop a service (final bill when the last one stops)",
        "transfer": "Transfer service to a new address",
    }
    return _form_page(request, account, form, titles[action])


@permission_required("accounts.add_billimport", raise_exception=True)
def bills_import(request: HttpRequest) -> HttpResponse:
    """The file is stored as a job and imported by a worker; staff watch it on the job's page."""
    form = forms.BillImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = bill_import_submit(data=upload.read(), file_name=upload.name, actor=request.user)
        return redirect(job.get_absolute_url())
    funds = [f for f in funds_for_display() if f.active]
    return render(
        request, "accounts/bill_import.html", {"form": form, "funds": funds, "columns": bill_file_columns()}
    )


@permission_required("accounts.view_fund", raise_exception=True)
def funds(request: HttpRequest) -> HttpResponse:
    """The funds: codes the bill import takes, the GL numbers the journal carries."""
    return render(request, "accounts/funds.html", {"funds": funds_for_display()})


@permission_required("accounts.view_ledgercheckrun", raise_exception=True)
def ledger_checks(request: HttpRequest) -> HttpResponse:
    runs = LedgerCheckRun.objects.order_by("-business_date")[:30]
    latest = runs[0] if runs else None
    found = latest.found.select_related("account")[:200] if latest else []
    return render(request, "accounts/ledger_checks.html", {"runs": runs, "latest": latest, "found": found})
