from functools import update_wrapper

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse


class UtilityAdminSite(admin.AdminSite):
    site_header = "Utility administration"
    site_title = "Utility administration"
    index_title = "Users, roles, tokens and settings"

    def admin_view(self, view, cacheable=False):  # type: ignore[no-untyped-def]
        inner = super().admin_view(view, cacheable)

        def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:  # type: ignore[no-untyped-def]
            # One sign-in page for the whole system (throttled, audited), and a plain 403 for
            # signed-in staff whose role does not include administration.
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return update_wrapper(guarded, inner)

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:  # type: ignore[no-untyped-def]
        if request.user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(request.GET.get("next") or "/admin/")
