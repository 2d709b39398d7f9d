from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import Adjustment, AdjustmentStatus, LedgerCheckRun
from common.selectors import audit_activity_today
from reports.selectors.home import yesterday_against_weeks
from reports.selectors.home_alarms import alarms


@permission_required("common.use_supervision", raise_exception=True)
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reports/home.html",
        {
            "activity": audit_activity_today(),
            "pending_adjustments": Adjustment.objects.filter(status=AdjustmentStatus.PENDING).count(),
            "ledger_check": LedgerCheckRun.objects.order_by("-business_date").first(),
            "alarms": alarms(),
            "comparison": yesterday_against_weeks(),
        },
    )
