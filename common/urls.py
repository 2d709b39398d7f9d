from django.urls import path

from common import views, views_jobs

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("audit/", views.audit_list, name="audit_list"),
    path("audit/users/<int:user_id>/", views.audit_list, name="audit_user"),
    path("administration/", views.administration, name="administration"),
    path("jobs/", views_jobs.job_list, name="jobs"),
    path("jobs/<int:pk>/", views_jobs.job_detail, name="job"),
    path("jobs/<int:pk>/download/", views_jobs.job_download, name="job_download"),
]
