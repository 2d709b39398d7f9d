from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from collections_app.models import AgencyReferral, BatchRun, CollectionAgency, ReferralStatus, RunKind
from collections_app.pdf_recovery import referral_letter_pdf
from collections_app.remittance_jobs import remittance_submit
from collections_app.selectors.recovery import REFERRAL_FILE_COLUMNS, referrals
from collections_app.services.agency import (
    REMITTANCE_COLUMNS,
    REMITTANCE_OPTIONAL,
    collection_agency_save,
    referral_recall,
)
from collections_app.validators import parse_date_param
from collections_app.views.recovery_forms import AgencyForm, RecallForm, RemittanceForm
from common.exceptions import DomainError
from common.pdf import pdf_response


@permission_required("collections_app.view_agencyreferral", raise_exception=True)
def referral_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "referred")
    if status not in ReferralStatus.values:
        status = ""
    return render(
        request,
        "collections_app/agency_referrals.html",
        {
            "referrals": referrals(status=status)[:200],
            "status": status,
            "statuses": ReferralStatus.choices,
            "runs": BatchRun.objects.filter(kind=RunKind.AGENCY).order_by("-business_date")[:10],
            "columns": REFERRAL_FILE_COLUMNS,
        },
    )


@permission_required("collections_app.view_agencyreferral", raise_exception=True)
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_object_or_404(
        AgencyReferral.objects.select_related("account", "account__customer", "agency", "created_by"), pk=pk
    )
    return render(
        request,
        "collections_app/agency_referral.html",
        {
            "referral": referral,
            "account": referral.account,
            "lines": referral.remittances.select_related("remittance").order_by("paid_on", "id"),
            "recall_form": RecallForm(),
        },
    )


@require_POST
@permission_required("collections_app.view_agencyreferral", raise_exception=True)
def referral_file(request: HttpRequest) -> HttpResponse:
    """The referral file for the agency (columns documented on the referrals page), as a job (all
    open referrals grow with the city): its page has the CSV to download."""
    from collections_app.export_jobs import referral_file_submit

    day = request.POST.get("date", "")
    try:
        referred_on = parse_date_param(day) if day else None
    except ValueError as exc:  # not every open referral under a name that says one day
        return HttpResponseBadRequest(f"date: {exc}", content_type="text/plain")
    job = referral_file_submit(referred_on=referred_on, actor=request.user)
    return redirect(job.get_absolute_url())


@permission_required("collections_app.view_agencyreferral", raise_exception=True)
def referral_letter(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_object_or_404(
        AgencyReferral.objects.select_related("account__customer", "account__premise", "agency"), pk=pk
    )
    return pdf_response(referral_letter_pdf(referral), f"referral-{referral.account.number}.pdf")


@require_POST
@permission_required("collections_app.add_agencyreferral", raise_exception=True)
def referral_run(request: HttpRequest) -> HttpResponse:
    from collections_app.nightly_jobs import nightly_run_submit

    job = nightly_run_submit(run="agency", business_date=timezone.localdate(), actor=request.user)
    return redirect(job.get_absolute_url())


@require_POST
@permission_required("collections_app.change_agencyreferral", raise_exception=True)
def referral_recall_view(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(AgencyReferral.objects.only("pk"), pk=pk)
    form = RecallForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("reason", [])))
        return redirect("collections_app:referral", pk=pk)
    try:
        referral_recall(referral_id=pk, reason=form.cleaned_data["reason"], actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Referral recalled from the agency; interest stops.")
    return redirect("collections_app:referral", pk=pk)


@permission_required("collections_app.change_agencyreferral", raise_exception=True)
def remittance(request: HttpRequest) -> HttpResponse:
    """The file is stored as a job and posted by a worker; the officer watches it on its page."""
    form = RemittanceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = remittance_submit(
            data=upload.read(), file_name=upload.name, agency=form.cleaned_data["agency"], actor=request.user
        )
        return redirect(job.get_absolute_url())
    return render(
        request,
        "collections_app/agency_remittance.html",
        {"form": form, "columns": REMITTANCE_COLUMNS, "optional": REMITTANCE_OPTIONAL},
    )


@permission_required("collections_app.view_collectionagency", raise_exception=True)
def agency_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "collections_app/agency_list.html", {"agencies": CollectionAgency.objects.order_by("name")}
    )


@permission_required("collections_app.add_collectionagency", raise_exception=True)
def agency_new(request: HttpRequest) -> HttpResponse:
    return _agency_form(request, None)


@permission_required("collections_app.change_collectionagency", raise_exception=True)
def agency_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _agency_form(request, get_object_or_404(CollectionAgency, pk=pk))


def _agency_form(request: HttpRequest, agency: CollectionAgency | None) -> HttpResponse:
    form = AgencyForm(request.POST or None, instance=agency)
    if request.method == "POST" and form.is_valid():
        saved = collection_agency_save(
            agency_id=agency.pk if agency else None, actor=request.user, **form.cleaned_data
        )
        messages.success(request, f"Agency {saved.name} saved.")
        return redirect("collections_app:agencies")
    return render(request, "collections_app/agency_form.html", {"form": form, "agency": agency})


urlpatterns = [
    path("recovery/referrals/", referral_list, name="referrals"),
    path("recovery/referrals/run", referral_run, name="referral_run"),
    path("recovery/referrals/file.csv", referral_file, name="referral_file"),
    path("recovery/referrals/remittance/", remittance, name="remittance"),
    path("recovery/referrals/<int:pk>/", referral_detail, name="referral"),
    path("recovery/referrals/<int:pk>/recall", referral_recall_view, name="referral_recall"),
    path("recovery/referrals/<int:pk>/letter.pdf", referral_letter, name="referral_letter"),
    path("recovery/agencies/", agency_list, name="agencies"),
    path("recovery/agencies/new", agency_new, name="agency_new"),
    path("recovery/agencies/<int:pk>/edit", agency_edit, name="agency_edit"),
]
