from django.urls import path

from collections_app.views import deposits, home, notices, orders, policy, recovery, refunds, shutoff

app_name = "collections_app"
urlpatterns = [
    path("", home.home, name="home"),
    *policy.urlpatterns,
    *shutoff.urlpatterns,
    *orders.urlpatterns,
    *notices.urlpatterns,
    *deposits.urlpatterns,
    *recovery.urlpatterns,
    *refunds.urlpatterns,
]
