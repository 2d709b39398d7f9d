from collections.abc import Callable

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from common.request_context import client_ip

# Token-authenticated integrations (IVR, agencies, crews) call these; DRF authenticates them and
# answers 401/403 in JSON itself, where a redirect to a login page would mean nothing to them.
API_PATHS = ("/api/v1/", "/api/schema/")


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Every page needs a login unless its view is marked `login_not_required`."""

    def process_view(self, request, view_func, view_args, view_kwargs):  # type: ignore[override]
        if request.path_info.startswith(API_PATHS):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)

    def get_login_url(self, view_func) -> str:  # type: ignore[no-untyped-def]
        # One sign-in page for everything, the admin included (it is the throttled, audited one).
        return str(settings.LOGIN_URL)


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = client_ip.set(get_client_ip_address(request))
        try:
            return self.get_response(request)
        finally:
            client_ip.reset(token)


# Receipts, letters, drawer reports, GL and referral files: names, balances and account numbers.
NO_STORE_TYPES = frozenset({"application/pdf", "text/csv"})


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every response to a signed-in user (a session or a token) and
    on every PDF and CSV, so neither a shared computer's browser cache (Back after sign-out) nor a
    proxy keeps a copy. Static files never get here: WhiteNoise, higher in the stack, answers them
    with its own long-lived caching headers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        user = getattr(request, "user", None)  # DRF sets it here too for a token
        if content_type in NO_STORE_TYPES or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)
        return response
