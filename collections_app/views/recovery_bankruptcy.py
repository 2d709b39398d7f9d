from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from accounts.models import Account
from collections_app.models import BankruptcyCase, BankruptcyStatus
from collections_app.selectors.recovery import bankruptcies_open
from collections_app.services.bankruptcy import (
    assurance_record,
    bankruptcy_discharge,
    bankruptcy_dismiss,
    bankruptcy_record,
    deposit_offer,
    deposit_setoff,
    remaining_pre_petition,
)
from collections_app.validators import form_errors_text
from collections_app.views.recovery_forms import AssuranceForm, BankruptcyForm, CloseCaseForm
from common.exceptions import DomainError


@permission_required("collections_app.view_bankruptcycase", raise_exception=True)
def bankruptcy_list(request: HttpRequest) -> HttpResponse:
    return render(request, "collections_app/bankruptcy_list.html", {"cases": bankruptcies_open()})


@permission_required("collections_app.add_bankruptcycase", raise_exception=True)
def bankruptcy_new(request: HttpRequest, number: str) -> HttpResponse:
    account = get_object_or_404(Account.objects.select_related("customer", "premise"), number=number)
    if open_case := BankruptcyCase.objects.filter(account=account, status=BankruptcyStatus.OPEN).first():
        return redirect("collections_app:bankruptcy", pk=open_case.pk)
    form = BankruptcyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = bankruptcy_record(account_id=account.pk, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                f"Bankruptcy recorded: ${case.pre_petition_balance:,.2f} pre-petition frozen; "
                f"assurance due {case.assurance_deadline:%b %d, %Y}.",
            )
            return redirect("accounts:detail", number=account.number)
    return render(request, "collections_app/bankruptcy_form.html", {"account": account, "form": form})


@permission_required("collections_app.view_bankruptcycase", raise_exception=True)
def bankruptcy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(
        BankruptcyCase.objects.select_related(
            "account", "account__customer", "account__premise", "write_off"
        ),
        pk=pk,
    )
    return render(
        request,
        "collections_app/bankruptcy_detail.html",
        {
            "case": case,
            "account": case.account,
            "frozen": remaining_pre_petition(case, case.account.balance),
            "offer": deposit_offer(case, case.account.balance) if case.status == BankruptcyStatus.OPEN else 0,
            "assurance_form": AssuranceForm(),
            "close_form": CloseCaseForm(),
        },
    )


def _step(request: HttpRequest, pk: int, form_class, call, done: str) -> HttpResponse:  # type: ignore[no-untyped-def]
    get_object_or_404(BankruptcyCase.objects.only("pk"), pk=pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("collections_app:bankruptcy", pk=pk)
    try:
        call(form.cleaned_data)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("collections_app:bankruptcy", pk=pk)


@require_POST
@permission_required("collections_app.change_bankruptcycase", raise_exception=True)
def bankruptcy_assurance(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        AssuranceForm,
        lambda d: assurance_record(
            case_id=pk, amount=d["amount"], received_on=d["received_on"], form=d["form"], actor=request.user
        ),
        "Adequate assurance recorded.",
    )


@require_POST
@permission_required("collections_app.change_bankruptcycase", raise_exception=True)
def bankruptcy_setoff(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(BankruptcyCase.objects.only("pk"), pk=pk)
    try:
        case = deposit_setoff(case_id=pk, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"Security deposit set off: ${case.deposit_setoff:,.2f} against the pre-petition bill."
        )
    return redirect("collections_app:bankruptcy", pk=pk)


@require_POST
@permission_required("collections_app.change_bankruptcycase", raise_exception=True)
def bankruptcy_discharge_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        CloseCaseForm,
        lambda d: bankruptcy_discharge(case_id=pk, on=d["on"], actor=request.user),
        "Discharge recorded: the pre-petition balance is written off and the case is closed.",
    )


@require_POST
@permission_required("collections_app.change_bankruptcycase", raise_exception=True)
def bankruptcy_dismiss_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        CloseCaseForm,
        lambda d: bankruptcy_dismiss(case_id=pk, on=d["on"], note=d["note"], actor=request.user),
        "Dismissal recorded: the case is closed and the debt returns to normal collection.",
    )


urlpatterns = [
    path("recovery/bankruptcies/", bankruptcy_list, name="bankruptcies"),
    path("recovery/bankruptcies/<int:pk>/", bankruptcy_detail, name="bankruptcy"),
    path("recovery/bankruptcies/<int:pk>/assurance", bankruptcy_assurance, name="bankruptcy_assurance"),
    path("recovery/bankruptcies/<int:pk>/setoff", bankruptcy_setoff, name="bankruptcy_setoff"),
    path("recovery/bankruptcies/<int:pk>/discharge", bankruptcy_discharge_view, name="bankruptcy_discharge"),
    path("recovery/bankruptcies/<int:pk>/dismiss", bankruptcy_dismiss_view, name="bankruptcy_dismiss"),
    path("accounts/<str:number>/bankruptcy/", bankruptcy_new, name="bankruptcy_new"),
]
