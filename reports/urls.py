from django.urls import path

from reports import quality_views, views

app_name = "reports"
urlpatterns = [
    path("", views.home, name="home"),
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
