from django.urls import path

from counseling import views

app_name = "counseling"
urlpatterns = [
    path("", views.home, name="home"),
]
