"""Security deposits: the deposits page (being billed, held, checks to cut), an account's deposit
with the "Compute deposit" form that shows the policy's explanation before anything is saved,
waivers (supervisors) and the nightly run on demand."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import Account, DecisionKind
from collections_app.forms_notices import DepositComputeForm, WaiveForm
from collections_app.models import BatchRun, DepositStatus, RunKind, SecurityDeposit
from collections_app.selectors.decisions import decisions_about
from collections_app.selectors.deposits import (
    account_deposit,
    account_deposits,
    checks_due,
    deposits_by_status,
    recently_closed,
)
from collections_app.services.deposits import (
    deposit_check_issued,
    deposit_quote,
    deposit_require,
    deposit_waive,
)
from common.exceptions import DomainError


@permission_required("collections_app.view_securitydeposit", raise_exception=True)
def deposits_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "collections_app/deposit_list.html",
        {
            "billing": deposits_by_status(status=DepositStatus.BILLING),
            "held": deposits_by_status(status=DepositStatus.HELD),
            "checks": checks_due(),
            "closed": recently_closed(),
            "runs": BatchRun.objects.filter(kind=RunKind.DEPOSITS).order_by("-business_date")[:5],
        },
    )


@require_POST
@permission_required("collections_app.add_batchrun", raise_exception=True)
def deposits_run(request: HttpRequest) -> HttpResponse:
    from collections_app.nightly_jobs import nightly_run_submit

    job = nightly_run_submit(run="deposits", business_date=timezone.localdate(), actor=request.user)
    return redirect(job.get_absolute_url())


@permission_required("collections_app.view_securitydeposit", raise_exception=True)
def account_deposit_view(request: HttpRequest, number: str) -> HttpResponse:
    account = get_object_or_404(Account.objects.select_related("customer", "premise"), number=number)
    form = DepositComputeForm(request.POST or None)
    quote = None
    if request.method == "POST":
        if not request.user.has_perm("collections_app.add_securitydeposit"):
            return HttpResponse(status=403)
        if form.is_valid():
            d = form.cleaned_data
            history = d["credit_history_months"] or 0
            try:
                if request.POST.get("action") == "save":
                    deposit_require(
                        account_id=account.pk,
                        as_of=timezone.localdate(),
                        actor=request.user,
                        installments=d["installments"],
                        idempotency_key=d["key"],
                        letter_of_credit=d["letter_of_credit"],
                        credit_history_months=history,
                    )
                    messages.success(request, "Deposit required: the first installment is billed tonight.")
                    return redirect("collections_app:account_deposit", number=number)
                quote = deposit_quote(
                    account_id=account.pk,
                    as_of=timezone.localdate(),
                    letter_of_credit=d["letter_of_credit"],
                    credit_history_months=history,
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
    deposits = account_deposits(account_id=account.pk)
    current = account_deposit(account_id=account.pk)
    decisions = (
        decisions_about(account_id=account.pk, kind=DecisionKind.DEPOSIT, subjects=[f"deposit:{current.pk}"])
        if current
        else []
    )
    return render(
        request,
        "collections_app/deposit_account.html",
        {
            "account": account,
            "current": current,
            "decisions": decisions,
            "deposits": deposits,
            "form": form,
            "quote": quote,
            "waive_form": WaiveForm(),
        },
    )


@require_POST
@permission_required("collections_app.waive_securitydeposit", raise_exception=True)
def deposit_waive_view(request: HttpRequest, pk: int) -> HttpResponse:
    deposit = get_object_or_404(SecurityDeposit.objects.select_related("account"), pk=pk)
    form = WaiveForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("reason", ["Give the reason for the waiver."])))
    else:
        try:
            deposit_waive(deposit_id=pk, reason=form.cleaned_data["reason"], actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Deposit waived.")
    return redirect("collections_app:account_deposit", number=deposit.account.number)


@require_POST
@permission_required("collections_app.change_securitydeposit", raise_exception=True)
def deposit_check_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        deposit_check_issued(deposit_id=pk, issued_on=timezone.localdate(), actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("collections_app:deposits")


urlpatterns: list[URLPattern] = [
    path("deposits/", deposits_home, name="deposits"),
    path("deposits/run/", deposits_run, name="deposits_run"),
    path("deposits/<int:pk>/waive/", deposit_waive_view, name="deposit_waive"),
    path("deposits/<int:pk>/check-issued/", deposit_check_view, name="deposit_check_issued"),
    path("accounts/<str:number>/deposit/", account_deposit_view, name="account_deposit"),
]
