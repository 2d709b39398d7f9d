"""URL patterns of this area are appended by the module that builds it."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
