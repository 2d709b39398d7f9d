from django.urls import path

from reports import approvals, views

app_name = "reports"
urlpatterns = [
    path("", views.home, name="home"),
    path("approvals/", approvals.queue, name="approvals"),
    path("approvals/decide/", approvals.decide, name="approvals_decide"),
]
