from datetime import datetime, time, timedelta

from django.contrib.auth.decorators import login_not_required, permission_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from common.forms import AuditFilterForm
from common.health import health_report
from common.navigation import home_for
from common.selectors import (
    AuditFilter,
    audit_event_list,
    locked_sign_in_count,
    user_role_counts,
)

PAGE = 50


def home(request: HttpRequest) -> HttpResponse:
    item = home_for(request.user)
    if item is None:  # signed in but holding no role yet
        return render(request, "common/no_role.html", status=403)
    return redirect(item.url)


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    ok, report = health_report()
    return JsonResponse(report, status=200 if ok else 503)


def _day_start(day) -> datetime:  # type: ignore[no-untyped-def]
    return timezone.make_aware(datetime.combine(day, time.min))


@permission_required("common.view_audit", raise_exception=True)
def audit_list(request: HttpRequest, user_id: int | None = None) -> HttpResponse:
    data = request.GET.copy()
    if user_id is not None:
        data["actor"] = str(user_id)
    form = AuditFilterForm(data or None)
    events = []
    if not form.is_bound or form.is_valid():
        cleaned = form.cleaned_data if form.is_bound else {}
        filters = AuditFilter(
            actor_id=cleaned["actor"].pk if cleaned.get("actor") else None,
            account_id=cleaned.get("account_id"),
            verb=cleaned.get("verb", ""),
            since=_day_start(cleaned["since"]) if cleaned.get("since") else None,
            until=_day_start(cleaned["until"] + timedelta(days=1)) if cleaned.get("until") else None,
        )
        before = request.GET.get("before", "")
        events = audit_event_list(
            filters=filters, before_id=int(before) if before.isdigit() else None, limit=PAGE + 1
        )
    has_more = len(events) > PAGE
    events = events[:PAGE]
    next_query = None
    if has_more:
        query = request.GET.copy()
        query["before"] = str(events[-1].id)
        next_query = query.urlencode()
    return render(
        request, "common/audit_list.html", {"form": form, "events": events, "next_query": next_query}
    )


@permission_required("common.use_administration", raise_exception=True)
def administration(request: HttpRequest) -> HttpResponse:
    ok, report = health_report()
    return render(
        request,
        "common/administration.html",
        {
            "role_counts": user_role_counts(),
            "locked": locked_sign_in_count(),
            "health_ok": ok,
            "health": report,
        },
    )
