from collections.abc import Callable
from urllib.parse import unquote

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
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


NUL_MESSAGE = (
    "The request contains a NUL character (%00) in its address, its query or a form field. "
    "No page or API call accepts one: remove it and try again."
)


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path_info or "\x00" in unquote(request.META.get("QUERY_STRING", "")):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    content_type = request.content_type or ""
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        # Parsed once here and cached on the request (CSRF reads it too; DRF reuses it). Uploaded
        # files are not looked at: a file may be binary, and the importers judge their content.
        return any("\x00" in key or "\x00" in "".join(values) for key, values in request.POST.lists())
    if content_type.endswith("json"):
        return b"\\u0000" in request.body  # JSON's only spelling of NUL; PostgreSQL text refuses it
    return False


class RejectNulMiddleware:
    """400 for a NUL byte anywhere in the request's address, query or form fields.

    PostgreSQL text cannot hold NUL: a search for `ab%00cd` raised ValueError deep in the database
    driver, a 500 on every page and API call that filters by a parameter. Refusing it here, before
    any view, answers every such request the same clear way (JSON for the API, whose clients read
    `detail`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            if request.path_info.startswith(API_PATHS):
                return JsonResponse({"code": "request.nul", "detail": NUL_MESSAGE}, status=400)
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
