from django.urls import path

from reports import approvals, quality_views, views, views_dashboards

app_name = "reports"
urlpatterns = [
    path("", views.home, name="home"),
    path("dashboards/", views_dashboards.index, name="dashboards"),
    path("dashboards/monthly/", views_dashboards.monthly, name="monthly"),
    path("dashboards/<slug:slug>/", views_dashboards.page, name="dashboard"),
    path("dashboards/<slug:slug>/drill/", views_dashboards.drill, name="drill"),
    path("dashboards/<slug:slug>/drill.csv", views_dashboards.drill_csv, name="drill_csv"),
    path("dashboards/<slug:slug>/<str:table>.csv", views_dashboards.table_csv, name="table_csv"),
    path("approvals/", approvals.queue, name="approvals"),
    path("approvals/decide/", approvals.decide, name="approvals_decide"),
    path("quality/", quality_views.quality_list, name="quality"),
    path("quality/<int:pk>/", quality_views.quality_review, name="quality_review"),
    path(
        "quality/<int:pk>/items/<int:item_pk>/score/", quality_views.quality_item_score, name="quality_score"
    ),
    path("quality/<int:pk>/conclude/", quality_views.quality_conclude, name="quality_conclude"),
    path("quality/employees/<int:employee_id>/", quality_views.quality_trend, name="quality_trend"),
    path("quality/mine/", quality_views.my_reviews, name="my_reviews"),
    path("quality/mine/<int:pk>/", quality_views.my_review, name="my_review"),
]
