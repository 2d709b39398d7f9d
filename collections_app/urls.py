from django.urls import path

from collections_app import views

app_name = "collections_app"
urlpatterns = [
    path("", views.home, name="home"),
]
