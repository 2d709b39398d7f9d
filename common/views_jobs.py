"""Jobs (common.jobs): a job's page with live progress (htmx polls the #progress partial while
it runs), its download, and the signed-in user's recent jobs. The job's permission is checked on
every one of them, on the server."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from common.exceptions import DomainError
from common.jobs import job_output_read, job_visible
from common.models import Job

RECENT = 50


def _job(request: HttpRequest, pk: int) -> Job:
    job = Job.objects.select_related("created_by").filter(pk=pk).first()
    if job is None:
        raise Http404
    if not job_visible(job, request.user):
        raise PermissionDenied
    return job


def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    template = "common/job_detail.html#progress" if request.htmx else "common/job_detail.html"
    return render(request, template, {"job": job})


def job_download(request: HttpRequest, pk: int) -> HttpResponse:
    _job(request, pk)
    try:
        job = job_output_read(job_id=pk, actor=request.user)
    except DomainError as exc:
        raise Http404(exc.message) from None
    response = HttpResponse(bytes(job.output_data), content_type=job.output_type)
    response["Content-Disposition"] = f'attachment; filename="{job.output_name or f"job-{job.pk}"}"'
    return response


def job_list(request: HttpRequest) -> HttpResponse:
    jobs = Job.objects.filter(created_by=request.user).order_by("-id")[:RECENT]
    return render(request, "common/job_list.html", {"jobs": jobs})
