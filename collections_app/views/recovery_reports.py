import csv

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone

from accounts.models import Account
from collections_app.models import CreditReferenceLetter
from collections_app.pdf_recovery import credit_letter_pdf
from collections_app.selectors.regulatory import (
    DISCONTINUATION_COLUMNS,
    discontinuation_totals,
    discontinuations,
)
from collections_app.services.credit_letters import credit_letter_issue
from collections_app.views.recovery_forms import CreditLetterForm
from common.exceptions import DomainError
from common.pdf import pdf_response


@permission_required("collections_app.add_creditreferenceletter", raise_exception=True)
def credit_letter_new(request: HttpRequest, number: str) -> HttpResponse:
    account = get_object_or_404(Account.objects.select_related("customer", "premise"), number=number)
    form = CreditLetterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            letter = credit_letter_issue(
                account_id=account.pk,
                addressed_to=form.cleaned_data["addressed_to"],
                months=form.cleaned_data["months"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Credit reference letter issued.")
            return redirect("collections_app:credit_letter", pk=letter.pk)
    letters = (
        CreditReferenceLetter.objects.filter(account=account).select_related("issued_by").order_by("-id")[:10]
    )
    return render(
        request,
        "collections_app/recovery_credit_letter.html",
        {"account": account, "form": form, "letters": letters},
    )


@permission_required("collections_app.view_creditreferenceletter", raise_exception=True)
def credit_letter(request: HttpRequest, pk: int) -> HttpResponse:
    letter = get_object_or_404(
        CreditReferenceLetter.objects.select_related("account__customer", "account__premise", "issued_by"),
        pk=pk,
    )
    return pdf_response(credit_letter_pdf(letter), f"credit-reference-{letter.issued_on:%Y%m%d}.pdf")


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    return min(max(year, 2000), 2100)


@permission_required("collections_app.view_serviceorder", raise_exception=True)
def discontinuation_report(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    rows = discontinuations(year=year)
    return render(
        request,
        "collections_app/recovery_discontinuations.html",
        {"year": year, "rows": rows, "totals": discontinuation_totals(rows) if rows else []},
    )


@permission_required("collections_app.view_serviceorder", raise_exception=True)
def discontinuation_csv(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="discontinuations-{year}.csv"'
    writer = csv.writer(response)
    writer.writerow(DISCONTINUATION_COLUMNS)
    writer.writerows(r.csv() for r in discontinuations(year=year))
    return response


urlpatterns = [
    path("accounts/<str:number>/credit-letter/", credit_letter_new, name="credit_letter_new"),
    path("recovery/credit-letters/<int:pk>.pdf", credit_letter, name="credit_letter"),
    path("recovery/reports/discontinuations/", discontinuation_report, name="discontinuations"),
    path("recovery/reports/discontinuations.csv", discontinuation_csv, name="discontinuations_csv"),
]
