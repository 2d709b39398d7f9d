"""Jobs through the API: an API call that starts long work (a bill file) answers 202 with the job
at once, and the client polls `GET /api/v1/jobs/{id}` for its progress, outcome and line-numbered
errors, then fetches any file it made. The job's own permission is checked on every call, as the
job pages check it."""

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.exceptions import DomainError
from common.jobs import job_output_read, job_visible
from common.models import Job


class JobLineErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    message = serializers.CharField()


class JobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    label = serializers.CharField()
    status = serializers.ChoiceField(choices=["queued", "running", "done", "failed"])
    done = serializers.IntegerField(help_text="Items done so far (lines, notices, accounts).")
    total = serializers.IntegerField(help_text="Items in all; 0 until the job has counted them.")
    percent = serializers.IntegerField()
    summary = serializers.CharField(allow_blank=True, help_text="What the job did, once done.")
    error = serializers.CharField(allow_blank=True, help_text="Why it failed.")
    errors = JobLineErrorSerializer(many=True, help_text="A file's bad lines: nothing of it was saved.")
    output_url = serializers.CharField(allow_null=True, help_text="The file it made, once done.")
    url = serializers.CharField(help_text="Poll this until status is done or failed.")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


def job_data(job: Job) -> dict:  # type: ignore[type-arg]
    result = job.result or {}
    has_output = job.status == "done" and bool(job.output_size)
    return JobSerializer(
        {
            "id": job.pk,
            "kind": job.kind,
            "label": job.label,
            "status": job.status,
            "done": job.done,
            "total": job.total,
            "percent": job.percent,
            "summary": result.get("summary", ""),
            "error": job.error,
            "errors": result.get("errors", []),
            "output_url": reverse("api:job-output", args=[job.pk]) if has_output else None,
            "url": reverse("api:job-detail", args=[job.pk]),
            "created_at": job.created_at,
            "finished_at": job.finished_at,
        }
    ).data


def job_accepted(job: Job) -> Response:
    """The answer of an API call that stored a job: 202, the job, and where to poll it."""
    data = job_data(job)
    return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})


def _job(request: Request, pk: int) -> Job:
    job = Job.objects.defer("input_data", "output_data").filter(pk=pk).first()
    if job is None:
        raise NotFound("No such job.")
    if not job_visible(job, request.user):
        raise PermissionDenied("This job needs a permission you do not have.")
    return job


class JobDetailView(APIView):
    """A job's progress and outcome (any signed-in user; the job's own permission is checked)."""

    required_permission = None

    @extend_schema(responses=JobSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(job_data(_job(request, pk)))


class JobOutputView(APIView):
    """The file a finished job made (audited, as the page's download is)."""

    required_permission = None

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int) -> HttpResponse:
        _job(request, pk)
        try:
            job = job_output_read(job_id=pk, actor=request.user)
        except DomainError as exc:
            raise NotFound(exc.message) from None
        response = HttpResponse(bytes(job.output_data), content_type=job.output_type)
        response["Content-Disposition"] = f'attachment; filename="{job.output_name or f"job-{job.pk}"}"'
        return response
