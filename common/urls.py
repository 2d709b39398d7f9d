from django.urls import path

from common import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("audit/", views.audit_list, name="audit_list"),
    path("audit/users/<int:user_id>/", views.audit_list, name="audit_user"),
    path("administration/", views.administration, name="administration"),
]
