"""Collections API, one module per area; config/urls.py mounts `urlpatterns` under /api/v1/."""

from collections_app.api import deposits, notices, orders, parameters, policy, recovery, shutoff

urlpatterns = [
    *policy.urlpatterns,
    *parameters.urlpatterns,
    *shutoff.urlpatterns,
    *orders.urlpatterns,
    *notices.urlpatterns,
    *deposits.urlpatterns,
    *recovery.urlpatterns,
]
