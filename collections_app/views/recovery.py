"""Recovery: write-offs, agency referrals, bankruptcies, small claims, credit letters and the
regulator's discontinuation count. Each topic has its own module; this one holds the recovery
home and gathers their URL patterns."""

from django.contrib.auth.decorators import permission_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from collections_app.models import (
    AgencyReferral,
    BankruptcyCase,
    BankruptcyStatus,
    ReferralStatus,
    SmallClaim,
    WriteOff,
    WriteOffStatus,
)
from collections_app.selectors.recovery import OPEN_CLAIM_STATUSES
from collections_app.views import (
    recovery_agency,
    recovery_bankruptcy,
    recovery_claims,
    recovery_reports,
    recovery_write_offs,
)


@permission_required("collections_app.view_writeoff", raise_exception=True)
def recovery_home(request: HttpRequest) -> HttpResponse:
    counts = {
        **WriteOff.objects.aggregate(pending_write_offs=Count("id", filter=Q(status=WriteOffStatus.PENDING))),
        **AgencyReferral.objects.aggregate(at_agency=Count("id", filter=Q(status=ReferralStatus.REFERRED))),
        **BankruptcyCase.objects.aggregate(open_cases=Count("id", filter=Q(status=BankruptcyStatus.OPEN))),
        **SmallClaim.objects.aggregate(open_claims=Count("id", filter=Q(status__in=OPEN_CLAIM_STATUSES))),
    }
    return render(request, "collections_app/recovery_home.html", {"counts": counts})


urlpatterns: list[URLPattern] = [
    path("recovery/", recovery_home, name="recovery"),
    *recovery_write_offs.urlpatterns,
    *recovery_agency.urlpatterns,
    *recovery_bankruptcy.urlpatterns,
    *recovery_claims.urlpatterns,
    *recovery_reports.urlpatterns,
]
