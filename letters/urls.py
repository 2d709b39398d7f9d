from django.urls import path

from letters import views

app_name = "letters"
urlpatterns = [
    path("account/<str:number>/", views.account_letters, name="account"),
    path("account/<str:number>/compose/", views.compose, name="compose"),
    path("account/<str:number>/preview/", views.preview, name="preview"),
    path("sent/<int:pk>/", views.sent_detail, name="sent"),
    path("sent/<int:pk>/pdf/", views.sent_pdf, name="sent_pdf"),
]
