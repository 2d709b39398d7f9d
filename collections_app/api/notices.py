"""API endpoints of notices (mounted under /api/v1/): an account's notices."""

from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Account
from collections_app.models import Notice
from collections_app.selectors.notices import account_notices


class NoticeSerializer(serializers.ModelSerializer):
    batch = serializers.IntegerField(
        source="batch_id", allow_null=True, help_text="the batch it was printed in"
    )

    class Meta:
        model = Notice
        fields = [
            "id",
            "kind",
            "method",
            "addressee",
            "address",
            "amount_due",
            "pay_by",
            "earliest_action",
            "fee_amount",
            "reason",
            "citation",
            "sent_on",
            "voided",
            "batch",
            "created_at",
        ]
        extra_kwargs = {
            "sent_on": {"help_text": "the date the engine's clocks count from; null while unsent"},
            "earliest_action": {"help_text": "the earliest disconnection date printed on the notice"},
        }


class AccountNoticesView(APIView):
    """The account's notices, newest first (sent ones start the engine's clocks)."""

    required_permission = "collections_app.view_notice"

    @extend_schema(responses=NoticeSerializer(many=True))
    def get(self, request: Request, number: str) -> Response:
        account = get_object_or_404(Account.objects.only("id"), number=number)
        return Response(NoticeSerializer(account_notices(account_id=account.pk), many=True).data)


urlpatterns: list[URLPattern] = [
    path("accounts/<str:number>/notices", AccountNoticesView.as_view(), name="account-notices"),
]
