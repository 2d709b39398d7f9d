from django.urls import path

from reports import views, views_dashboards

app_name = "reports"
urlpatterns = [
    path("", views.home, name="home"),
    path("dashboards/", views_dashboards.index, name="dashboards"),
    path("dashboards/monthly/", views_dashboards.monthly, name="monthly"),
    path("dashboards/<slug:slug>/", views_dashboards.page, name="dashboard"),
    path("dashboards/<slug:slug>/drill/", views_dashboards.drill, name="drill"),
    path("dashboards/<slug:slug>/drill.csv", views_dashboards.drill_csv, name="drill_csv"),
    path("dashboards/<slug:slug>/<str:table>.csv", views_dashboards.table_csv, name="table_csv"),
]
