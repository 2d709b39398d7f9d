from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import api as accounts_api
from collections_app.api import urlpatterns as collections_api
from common.api import AuditEventList, MeView
from common.api_jobs import JobDetailView, JobOutputView
from payments import api as payments_api

api_v1 = [
    path("me", MeView.as_view(), name="me"),
    path("audit-events", AuditEventList.as_view(), name="audit-events"),
    path("accounts/search", accounts_api.AccountSearchView.as_view(), name="account-search"),
    path("accounts/<str:number>", accounts_api.AccountDetailView.as_view(), name="account-detail"),
    path("accounts/<str:number>/entries", accounts_api.LedgerEntryList.as_view(), name="account-entries"),
    path("bills/import", accounts_api.BillImportView.as_view(), name="bill-import"),
    path("payments", payments_api.PaymentPostView.as_view(), name="payment-post"),
    path("jobs/<int:pk>", JobDetailView.as_view(), name="job-detail"),
    path("jobs/<int:pk>/output", JobOutputView.as_view(), name="job-output"),
    *collections_api,
]

# Swagger UI sets inline styles; its page alone may use them (its scripts stay same-origin).
_docs_csp = {**settings.SECURE_CSP, "style-src": [CSP.SELF, CSP.UNSAFE_INLINE]}


@login_not_required
def favicon(request: HttpRequest) -> HttpResponse:
    # Pages that name no icon (the admin's, a PDF shown in the browser) make the browser ask for
    # /favicon.ico: a 404 in the console each time.
    return redirect(static("img/favicon.svg"), permanent=True)


urlpatterns = [
    path("favicon.ico", favicon),
    path("", include("common.urls")),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("accounts.urls")),
    path("counseling/", include("counseling.urls")),
    path("cashier/", include("payments.urls")),
    path("collections/", include("collections_app.urls")),
    path("supervisor/", include("reports.urls")),
    path("letters/", include("letters.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        csp_override(_docs_csp)(SpectacularSwaggerSplitView.as_view(url_name="schema")),
        name="api-docs",
    ),
]
