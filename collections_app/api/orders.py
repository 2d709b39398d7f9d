"""Service orders for field crews: the work dispatched to them, and completion from the field.
Completion is decided again by the engine: a disconnection it no longer allows is cancelled, not
completed, and the answer says why (409, with the rule and its citation)."""

from decimal import Decimal

from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from collections_app.models.orders import OrderKind, OrderOutcome, OrderStatus, ServiceOrder
from collections_app.selectors.orders import order_board
from collections_app.validators import text_param
from common.exceptions import DomainError


class ServiceOrderSerializer(serializers.ModelSerializer):
    account_number = serializers.CharField(source="account.number")
    customer = serializers.CharField(source="account.customer.display_name")
    service_address = serializers.CharField(source="account.premise.__str__")
    meter = serializers.CharField(allow_null=True, help_text="meter number of the service")

    class Meta:
        model = ServiceOrder
        fields = [
            "id",
            "kind",
            "status",
            "account_number",
            "customer",
            "service_address",
            "utility",
            "meter",
            "scheduled_for",
            "after_hours_requested",
            "after_hours",
            "fee_quote",
            "fee_amount",
            "fee_reason",
            "fee_citation",
            "crew",
            "reason",
            "dispatched_at",
            "completed_at",
            "outcome",
            "meter_reading",
            "cancelled_reason",
        ]


class ServiceOrderList(ListAPIView):
    """Orders by status (default: dispatched), optionally for one crew and one kind."""

    required_permission = "collections_app.view_serviceorder"
    serializer_class = ServiceOrderSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=OrderStatus.values, description="default dispatched"),
            OpenApiParameter("crew", str),
            OpenApiParameter("kind", str, enum=OrderKind.values),
        ]
    )
    def get(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        wanted = self.request.query_params.get("status", OrderStatus.DISPATCHED)
        if wanted not in OrderStatus.values:
            raise serializers.ValidationError({"status": f"One of {', '.join(OrderStatus.values)}."})
        kind = self.request.query_params.get("kind", "")
        if kind and kind not in OrderKind.values:  # an unknown kind matched nothing, silently
            raise serializers.ValidationError({"kind": f"One of {', '.join(OrderKind.values)}."})
        return order_board(
            tab=wanted,
            crew=text_param(self.request.query_params, "crew"),
            kind=text_param(self.request.query_params, "kind"),
        ).order_by("-id")


class CompleteIn(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=OrderOutcome.choices, help_text="done, or no_access (the order goes back on the board)"
    )
    completed_at = serializers.DateTimeField(required=False, help_text="when the work was done; default now")
    meter_reading = serializers.CharField(max_length=20, required=False, allow_blank=True)
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    actual_cost = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        allow_null=True,
        help_text="reconnect: what the work actually cost, if known; where the policy caps the fee "
        "at the actual cost (SB 998 low-income caps, reconnect.cap_at_actual_cost) the fee is at most this",
    )


class CompleteOut(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=OrderStatus.choices, help_text="the order's status now")
    result = serializers.ChoiceField(
        choices=["completed", "cancelled", "not_today", "no_access", "replay"],
        help_text="completed; cancelled (the engine no longer allows it: leave the service as it is); "
        "not_today (allowed only from not_before); no_access; replay (already closed, nothing changed)",
    )
    reason = serializers.CharField(allow_blank=True)
    citation = serializers.CharField(allow_blank=True)
    not_before = serializers.DateField(allow_null=True)
    fee_amount = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        allow_null=True,
        help_text="a reconnection just completed: the fee charged (null otherwise)",
    )
    fee_reason = serializers.CharField(allow_blank=True, help_text="the policy's rule for that fee")


class ServiceOrderComplete(APIView):
    """Record completion from the field. Idempotent: a retry after the order closed changes nothing."""

    required_permission = "collections_app.complete_serviceorder"

    @extend_schema(
        request=CompleteIn,
        responses={200: CompleteOut, 409: CompleteOut},
        description="409 when the engine stops the order (cancelled, or not allowed today): "
        "the body says why.",
    )
    def post(self, request: Request, order_id: int) -> Response:
        from collections_app.services.orders import order_complete

        data = CompleteIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        if not ServiceOrder.objects.filter(pk=order_id).exists():
            return Response({"detail": "No such service order."}, status=status.HTTP_404_NOT_FOUND)
        try:
            done = order_complete(
                order_id=order_id,
                outcome=d["outcome"],
                completed_at=d.get("completed_at"),
                meter_reading=d.get("meter_reading", ""),
                note=d.get("note", ""),
                actual_cost=d.get("actual_cost"),
                actor=request.user,
            )
        except DomainError as exc:
            return Response({"code": exc.code, "detail": exc.message}, status=status.HTTP_400_BAD_REQUEST)
        body = CompleteOut(
            {
                "id": done.order.pk,
                "status": done.order.status,
                "result": done.result,
                "reason": done.reason,
                "citation": done.citation,
                "not_before": done.not_before,
                "fee_amount": done.fee.amount if done.fee else None,
                "fee_reason": f"{done.fee.reason} ({done.fee.citation})" if done.fee else "",
            }
        ).data
        stopped = done.result in ("cancelled", "not_today") or (
            done.result == "replay" and done.order.status == OrderStatus.CANCELLED
        )
        return Response(body, status=status.HTTP_409_CONFLICT if stopped else status.HTTP_200_OK)


class AfterHoursIn(serializers.Serializer):
    requested = serializers.BooleanField(help_text="the customer asks for after-hours (same-day) service")


class ReconnectAfterHours(APIView):
    """Record a customer's request for after-hours reconnection (or its withdrawal). The
    after-hours fee applies only with the request, and only if the crew does it after hours."""

    required_permission = "collections_app.change_serviceorder"

    @extend_schema(request=AfterHoursIn, responses={200: ServiceOrderSerializer})
    def post(self, request: Request, order_id: int) -> Response:
        from collections_app.selectors.orders import order_get
        from collections_app.services.reconnect import reconnect_after_hours_request

        data = AfterHoursIn(data=request.data)
        data.is_valid(raise_exception=True)
        if not ServiceOrder.objects.filter(pk=order_id).exists():
            return Response({"detail": "No such service order."}, status=status.HTTP_404_NOT_FOUND)
        try:
            reconnect_after_hours_request(
                order_id=order_id, requested=data.validated_data["requested"], actor=request.user
            )
        except DomainError as exc:
            return Response({"code": exc.code, "detail": exc.message}, status=status.HTTP_400_BAD_REQUEST)
        return Response(ServiceOrderSerializer(order_get(order_id=order_id)).data)


urlpatterns: list[URLPattern] = [
    path("service-orders", ServiceOrderList.as_view(), name="service-orders"),
    path(
        "service-orders/<int:order_id>/complete",
        ServiceOrderComplete.as_view(),
        name="service-order-complete",
    ),
    path(
        "service-orders/<int:order_id>/after-hours",
        ReconnectAfterHours.as_view(),
        name="service-order-after-hours",
    ),
]
