from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.selectors.account_page import follow_ups_due
from collections_app.selectors.home import collections_today
from common.permissions import any_permission_required


# supervisors hold the collections desk too (README, Roles), without landing on it
@any_permission_required("common.use_collections", "common.use_supervision")
def home(request: HttpRequest) -> HttpResponse:
    followups = follow_ups_due(user=request.user, through=timezone.localdate())[:10]
    return render(
        request, "collections_app/home.html", {"followups": followups, "today": collections_today()}
    )
