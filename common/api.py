from datetime import datetime

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.models import AuditEvent
from common.navigation import home_for


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    home = serializers.CharField(allow_null=True)


class MeView(APIView):
    """The signed-in user (or token holder), their roles and their home page."""

    required_permission = None

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        user = request.user
        item = home_for(user)
        return Response(
            MeSerializer(
                {
                    "username": user.get_username(),
                    "full_name": user.get_full_name(),
                    "roles": sorted(g.name for g in user.groups.all()),
                    "home": item.url if item else None,
                }
            ).data
        )


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label")
    target_type = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor",
            "verb",
            "target_type",
            "target_id",
            "target_label",
            "account_id",
            "ip_address",
            "data",
        ]

    def get_target_type(self, obj: AuditEvent) -> str | None:
        return f"{obj.target_type.app_label}.{obj.target_type.model}" if obj.target_type else None


class AuditEventList(ListAPIView):
    """The audit trail, newest first, filterable by account, staff member, action and time."""

    required_permission = "common.view_audit"
    serializer_class = AuditEventSerializer
    ordering = "-id"

    @extend_schema(
        parameters=[
            OpenApiParameter("account_id", int),
            OpenApiParameter("actor_id", int),
            OpenApiParameter("verb", str, description="prefix, e.g. auth."),
            OpenApiParameter("since", datetime),
            OpenApiParameter("until", datetime),
        ]
    )
    def get(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        qs = AuditEvent.objects.select_related("target_type")
        params = self.request.query_params
        for name, lookup in (("account_id", "account_id"), ("actor_id", "actor_id")):
            value = params.get(name)
            if value is not None:
                if not value.isdigit():
                    raise serializers.ValidationError({name: "must be a positive whole number"})
                qs = qs.filter(**{lookup: int(value)})
        if verb := params.get("verb"):
            qs = qs.filter(verb__startswith=verb)
        for name, lookup in (("since", "at__gte"), ("until", "at__lt")):
            if (value := params.get(name)) is not None:  # `until=` empty is a mistake, not "no limit"
                field = serializers.DateTimeField()
                try:
                    qs = qs.filter(**{lookup: field.to_internal_value(value)})
                except serializers.ValidationError as exc:
                    raise serializers.ValidationError({name: exc.detail}) from exc
        return qs
