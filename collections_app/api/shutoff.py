"""Shutoff lists over the API: runs with their counts, and a run's decisions."""

from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from collections_app.models import BatchRun, CandidateStatus, RunKind, ShutoffCandidate


class ShutoffRunSerializer(serializers.ModelSerializer):
    policy_version = serializers.IntegerField(source="policy_version.version", allow_null=True)

    class Meta:
        model = BatchRun
        fields = ["id", "business_date", "status", "total", "done", "counts", "policy_version", "approved_at"]


class ShutoffRunList(ListAPIView):
    """Shutoff runs, newest first, with progress and counts by status and deciding rule."""

    required_permission = "collections_app.view_batchrun"
    serializer_class = ShutoffRunSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return BatchRun.objects.filter(kind=RunKind.SHUTOFF).select_related("policy_version")


class CandidateSerializer(serializers.ModelSerializer):
    account_number = serializers.CharField(source="account.number")

    class Meta:
        model = ShutoffCandidate
        fields = [
            "id",
            "account_number",
            "status",
            "excluded",
            "exclude_reason",
            "earliest_date",
            "deciding_code",
            "reason",
            "citation",
            "past_due",
            "days_delinquent",
            "action",
            "decision",
        ]


class ShutoffCandidateList(ListAPIView):
    """A run's decisions (default: the accounts on the list), each with every rule checked."""

    required_permission = "collections_app.view_batchrun"
    serializer_class = CandidateSerializer

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=CandidateStatus.values)])
    def get(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        run = get_object_or_404(BatchRun, pk=self.kwargs["run_id"], kind=RunKind.SHUTOFF)
        wanted = self.request.query_params.get("status", CandidateStatus.LISTED)
        if wanted not in CandidateStatus.values:
            raise serializers.ValidationError({"status": f"One of {', '.join(CandidateStatus.values)}."})
        return ShutoffCandidate.objects.filter(run=run, status=wanted).select_related("account")


urlpatterns: list[URLPattern] = [
    path("shutoff-runs", ShutoffRunList.as_view(), name="shutoff-runs"),
    path("shutoff-runs/<int:run_id>/candidates", ShutoffCandidateList.as_view(), name="shutoff-candidates"),
]
