from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from accounts.models import Account
from collections_app.models import SmallClaim, SmallClaimStatus
from collections_app.selectors.recovery import small_claims
from collections_app.services.small_claims import (
    NEXT,
    claim_dismiss,
    claim_file,
    claim_hearing,
    claim_judgment,
    claim_satisfy,
)
from collections_app.validators import form_errors_text
from collections_app.views.recovery_forms import ClaimForm, ClaimStepForm
from common.exceptions import DomainError

STEPS = {
    "hearing": (
        lambda pk, d, u: claim_hearing(claim_id=pk, hearing_on=d["on"], actor=u),
        "Hearing date set.",
    ),
    "judgment": (
        lambda pk, d, u: claim_judgment(claim_id=pk, judgment_on=d["on"], amount=d["amount"] or 0, actor=u),
        "Judgment recorded.",
    ),
    "satisfy": (
        lambda pk, d, u: claim_satisfy(claim_id=pk, satisfied_on=d["on"], actor=u),
        "Judgment satisfied.",
    ),
    "dismiss": (
        lambda pk, d, u: claim_dismiss(claim_id=pk, dismissed_on=d["on"], note=d["note"], actor=u),
        "Claim dismissed.",
    ),
}


@permission_required("collections_app.view_smallclaim", raise_exception=True)
def claim_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    if status not in ("open", "", *SmallClaimStatus.values):
        status = "open"
    return render(
        request,
        "collections_app/claim_list.html",
        {"claims": small_claims(status=status)[:200], "status": status, "statuses": SmallClaimStatus.choices},
    )


@permission_required("collections_app.add_smallclaim", raise_exception=True)
def claim_new(request: HttpRequest, number: str) -> HttpResponse:
    account = get_object_or_404(Account.objects.select_related("customer", "premise"), number=number)
    form = ClaimForm(request.POST or None, initial={"claim_amount": max(account.balance, 0) or None})
    if request.method == "POST" and form.is_valid():
        try:
            claim = claim_file(account_id=account.pk, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, f"Small claim filed; filing fee ${claim.filing_fee:,.2f} charged to the account."
            )
            return redirect("collections_app:claim", pk=claim.pk)
    return render(request, "collections_app/claim_form.html", {"account": account, "form": form})


@permission_required("collections_app.view_smallclaim", raise_exception=True)
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(
        SmallClaim.objects.select_related("account", "account__customer", "created_by"), pk=pk
    )
    steps = [s for s in STEPS if claim.status in NEXT[s]]
    return render(
        request,
        "collections_app/claim_detail.html",
        {"claim": claim, "account": claim.account, "steps": steps, "form": ClaimStepForm()},
    )


@require_POST
@permission_required("collections_app.change_smallclaim", raise_exception=True)
def claim_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in STEPS:
        raise Http404
    get_object_or_404(SmallClaim.objects.only("pk"), pk=pk)
    form = ClaimStepForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("collections_app:claim", pk=pk)
    call, done = STEPS[step]
    try:
        call(pk, form.cleaned_data, request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("collections_app:claim", pk=pk)


urlpatterns = [
    path("recovery/small-claims/", claim_list, name="claims"),
    path("recovery/small-claims/<int:pk>/", claim_detail, name="claim"),
    path("recovery/small-claims/<int:pk>/<str:step>", claim_step, name="claim_step"),
    path("accounts/<str:number>/small-claim/", claim_new, name="claim_new"),
]
