from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.search, name="search"),
    path("follow-ups/", views.followups, name="followups"),
    path("follow-ups/<int:pk>/done/", views.followup_done, name="followup_done"),
    path("adjustments/pending/", views.adjustments_pending, name="adjustments_pending"),
    path("adjustments/<int:pk>/decide/", views.adjustment_decision, name="adjustment_decide"),
    path("bills/import/", views.bills_import, name="bill_import"),
    path("funds/", views.funds, name="funds"),
    path("ledger-checks/", views.ledger_checks, name="ledger_checks"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/entries/", views.entries, name="entries"),
    path("<str:number>/decisions/", views.decisions, name="decisions"),
    path("<str:number>/adjust/", views.adjust, name="adjust"),
    path("<str:number>/transfer/", views.transfer, name="transfer"),
    path("<str:number>/contact/", views.contact, name="contact"),
    path("<str:number>/contact-details/", views.edit_contact_info, name="edit_contact"),
    path("<str:number>/due-day/", views.due_day, name="due_day"),
    path("<str:number>/service/<str:action>/", views.service_change, name="service"),
]
