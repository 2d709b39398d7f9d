"""Credit balance refunds: the request form (account page quick action), the queue (approve or
reject, issue, record a cashed check, cancel), the register with its CSV for accounts payable, and
the nightly run on demand."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import Account
from collections_app.models import BatchRun, RunKind
from collections_app.models.refunds import OPEN_STATUSES, Refund
from collections_app.selectors.refunds import (
    fund_credits,
    latest_original_payment,
    payment_label,
    refund_queue,
    refund_register,
    refundable,
    refunded_from_payment,
)
from collections_app.services.refund_checks import refund_check_cashed
from collections_app.services.refunds import (
    refund_cancel,
    refund_decide,
    refund_issue,
    refund_limits,
    refund_request,
)
from collections_app.views.recovery_forms import DecisionForm
from collections_app.views.refund_forms import (
    CashedForm,
    IssueForm,
    ReasonForm,
    RefundRequestForm,
    RegisterFilterForm,
)
from common.exceptions import DomainError


def _errors(form) -> str:  # type: ignore[no-untyped-def]
    return " ".join(e for errors in form.errors.values() for e in errors)


@permission_required("collections_app.request_refund", raise_exception=True)
def refund_new(request: HttpRequest, number: str) -> HttpResponse:
    account = get_object_or_404(Account.objects.select_related("customer", "premise"), number=number)
    form = RefundRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            refund = refund_request(
                account_id=account.pk,
                amount=form.cleaned_data["amount"],
                method=form.cleaned_data["method"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            if refund.auto_approved:
                messages.success(
                    request,
                    f"Refund of ${refund.amount:,.2f} approved (within the limit): a supervisor issues it.",
                )
            else:
                messages.success(
                    request,
                    f"Refund of ${refund.amount:,.2f} requested: above the approval limit, a second person "
                    "must approve it.",
                )
            return redirect("accounts:detail", number=account.number)
    payment = latest_original_payment(account_id=account.pk)
    # A refund under way is shown here with its Cancel: the requester (a cashier cannot open the
    # supervisors' queue) or an approver may cancel it until it is issued.
    open_refund = (
        Refund.objects.select_related("requested_by")
        .filter(account=account, status__in=OPEN_STATUSES)
        .first()
    )
    may_cancel = open_refund is not None and (
        request.user.has_perm("collections_app.approve_refund")
        or open_refund.requested_by_id == request.user.pk
    )
    context = {
        "account": account,
        "open_refund": open_refund,
        "may_cancel": may_cancel,
        "form": form,
        "credit_balance": -account.balance if account.balance < 0 else Decimal("0.00"),
        "available": refundable(account=account, credits=fund_credits(account_id=account.pk)),
        "limits": refund_limits(),
        "payment": payment,
        "payment_label": payment_label(payment) if payment else "",
        "payment_room": payment.amount - refunded_from_payment(payment_id=payment.pk) if payment else None,
    }
    return render(request, "collections_app/refund_form.html", context)


@permission_required("collections_app.view_refund", raise_exception=True)
def refunds(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "collections_app/refund_queue.html",
        {
            **refund_queue(),
            "limits": refund_limits(),
            "runs": BatchRun.objects.filter(kind=RunKind.REFUNDS).order_by("-business_date")[:5],
            "can_decide": request.user.has_perm("collections_app.approve_refund"),
            "today": timezone.localdate(),
        },
    )


def _done(request: HttpRequest, action, ok: str) -> HttpResponse:  # type: ignore[no-untyped-def]
    try:
        refund = action()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ok.format(refund=refund))
    return redirect("collections_app:refunds")


@require_POST
@permission_required("collections_app.approve_refund", raise_exception=True)
def refund_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(Refund.objects.only("pk"), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():  # never a decision by default
        messages.error(request, _errors(form))
        return redirect("collections_app:refunds")
    approve = form.cleaned_data["decision"] == "approve"
    return _done(
        request,
        lambda: refund_decide(
            refund_id=pk, approve=approve, note=form.cleaned_data["note"], actor=request.user
        ),
        "Refund of ${refund.amount:,.2f} " + ("approved: issue it below." if approve else "rejected."),
    )


@require_POST
@permission_required("collections_app.approve_refund", raise_exception=True)
def refund_issue_view(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(Refund.objects.only("pk"), pk=pk)
    form = IssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect("collections_app:refunds")
    return _done(
        request,
        lambda: refund_issue(
            refund_id=pk, check_number=form.cleaned_data["check_number"], actor=request.user
        ),
        "Refund of ${refund.amount:,.2f} issued to {refund.payee}.",
    )


@require_POST
@permission_required("collections_app.approve_refund", raise_exception=True)
def refund_cashed_view(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(Refund.objects.only("pk"), pk=pk)
    form = CashedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect("collections_app:refunds")
    return _done(
        request,
        lambda: refund_check_cashed(
            refund_id=pk,
            check_number=form.cleaned_data["check_number"],
            cashed_on=form.cleaned_data["cashed_on"],
            actor=request.user,
        ),
        "Check {refund.check_number} recorded as cashed.",
    )


@require_POST
@permission_required("collections_app.request_refund", raise_exception=True)
def refund_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    refund = get_object_or_404(Refund.objects.select_related("account"), pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
    else:
        try:
            refund_cancel(refund_id=pk, reason=form.cleaned_data["reason"], actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Refund of ${refund.amount:,.2f} cancelled.")
    if request.user.has_perm("collections_app.view_refund"):
        return redirect("collections_app:refunds")
    return redirect("accounts:detail", number=refund.account.number)


@require_POST
@permission_required("collections_app.add_batchrun", raise_exception=True)
def refund_run(request: HttpRequest) -> HttpResponse:
    from collections_app.nightly_jobs import nightly_run_submit

    job = nightly_run_submit(run="refunds", business_date=timezone.localdate(), actor=request.user)
    return redirect(job.get_absolute_url())


@permission_required("collections_app.view_refund", raise_exception=True)
def refund_register_view(request: HttpRequest) -> HttpResponse:
    form = RegisterFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = refund_register(
        issued_from=filters.get("issued_from"),
        issued_to=filters.get("issued_to"),
        status=filters.get("status", ""),
        method=filters.get("method", ""),
    )
    return render(
        request,
        "collections_app/refund_register.html",
        {"form": form, "rows": rows[:500], "query": request.GET.urlencode()},
    )


@require_POST
@permission_required("collections_app.view_refund", raise_exception=True)
def refund_register_csv(request: HttpRequest) -> HttpResponse:
    """A job (every refund ever made, unfiltered): its page has the CSV to download. Filters the
    form refuses (an 'issued from' after the 'issued to') answer 400 here, before any job."""
    from collections_app.export_jobs import refund_register_submit

    form = RegisterFilterForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_errors(form), status=400, content_type="text/plain")
    job = refund_register_submit(filters=form.cleaned_data, actor=request.user)
    return redirect(job.get_absolute_url())


urlpatterns: list[URLPattern] = [
    path("refunds/", refunds, name="refunds"),
    path("refunds/run/", refund_run, name="refund_run"),
    path("refunds/register/", refund_register_view, name="refund_register"),
    path("refunds/register.csv", refund_register_csv, name="refund_register_csv"),
    path("refunds/<int:pk>/decide/", refund_decide_view, name="refund_decide"),
    path("refunds/<int:pk>/issue/", refund_issue_view, name="refund_issue"),
    path("refunds/<int:pk>/cashed/", refund_cashed_view, name="refund_cashed"),
    path("refunds/<int:pk>/cancel/", refund_cancel_view, name="refund_cancel"),
    path("accounts/<str:number>/refund/", refund_new, name="refund_new"),
]
