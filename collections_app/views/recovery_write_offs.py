from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import Account, DecisionKind
from collections_app.models import BatchRun, RunKind, WriteOff
from collections_app.selectors.decisions import decisions_about
from collections_app.selectors.recovery import write_off_queue, write_offs_recent
from collections_app.selectors.write_off_review import CRITERIA, write_off_review
from collections_app.services.write_offs import write_off_decide, write_off_request
from collections_app.views.recovery_forms import DecisionForm, WriteOffRequestForm
from common.exceptions import DomainError


def _account(number: str) -> Account:
    return get_object_or_404(Account.objects.select_related("customer", "premise"), number=number)


@permission_required("collections_app.view_writeoff", raise_exception=True)
def write_offs(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "collections_app/writeoff_list.html",
        {
            "pending": write_off_queue(),
            "recent": write_offs_recent(),
            "runs": BatchRun.objects.filter(kind=RunKind.WRITE_OFF).order_by("-business_date")[:10],
            "can_decide": request.user.has_perm("collections_app.approve_writeoff"),
        },
    )


@permission_required("collections_app.add_writeoff", raise_exception=True)
def write_off_new(request: HttpRequest, number: str) -> HttpResponse:
    account = _account(number)
    form = WriteOffRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            write_off = write_off_request(
                account_id=account.pk,
                criteria=form.cleaned_data["criteria"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
                idempotency_key=form.cleaned_data["idempotency_key"],
                document=form.cleaned_data["document"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, f"Write-off of ${write_off.amount:,.2f} requested: a supervisor must approve it."
            )
            return redirect("accounts:detail", number=account.number)
    review = write_off_review(account_id=account.pk, as_of=timezone.localdate())
    return render(
        request,
        "collections_app/writeoff_form.html",
        {
            "account": account,
            "form": form,
            "review": review,
            "criteria": [(label, review.evidence[code]) for code, label in CRITERIA.items()],
            "decisions": decisions_about(account_id=account.pk, kind=DecisionKind.WRITE_OFF, limit=5),
        },
    )


@require_POST
@permission_required("collections_app.approve_writeoff", raise_exception=True)
def write_off_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(WriteOff.objects.only("pk"), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():  # never a decision by default, nor a note dropped silently
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("collections_app:write_offs")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        write_off = write_off_decide(
            write_off_id=pk, approve=approve, note=form.cleaned_data["note"], actor=request.user
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if approve:
            messages.success(request, f"Write-off approved: ${write_off.amount:,.2f} posted.")
        else:
            messages.success(request, "Write-off rejected.")
    return redirect("collections_app:write_offs")


@require_POST
@permission_required("collections_app.add_batchrun", raise_exception=True)
def write_off_run(request: HttpRequest) -> HttpResponse:
    from collections_app.nightly_jobs import nightly_run_submit

    job = nightly_run_submit(run="write_off", business_date=timezone.localdate(), actor=request.user)
    return redirect(job.get_absolute_url())


urlpatterns = [
    path("recovery/write-offs/", write_offs, name="write_offs"),
    path("recovery/write-offs/run", write_off_run, name="write_off_run"),
    path("recovery/write-offs/<int:pk>/decide", write_off_decide_view, name="write_off_decide"),
    path("accounts/<str:number>/write-off/", write_off_new, name="write_off_new"),
]
