from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import LedgerCheckRun
from common.approvals import approval_counts, approval_kinds
from common.selectors import audit_activity_today
from reports.selectors.home import yesterday_against_weeks
from reports.selectors.home_alarms import alarms


@permission_required("common.use_supervision", raise_exception=True)
def home(request: HttpRequest) -> HttpResponse:
    # waiting for this supervisor: their own requests are for someone else (four eyes)
    counts = approval_counts(request.user)
    return render(
        request,
        "reports/home.html",
        {
            "activity": audit_activity_today(),
            "waiting": [(k, counts.get(k.code, 0)) for k in approval_kinds(request.user)],
            "waiting_total": sum(counts.values()),
            "ledger_check": LedgerCheckRun.objects.order_by("-business_date").first(),
            "alarms": alarms(),
            "comparison": yesterday_against_weeks(),
        },
    )
