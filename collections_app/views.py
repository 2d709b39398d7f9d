from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@permission_required("common.use_collections", raise_exception=True)
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "collections_app/home.html")
