"""API endpoints of deposits (mounted under /api/v1/): an account's security deposit."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Account
from collections_app.models import DepositInstallment, SecurityDeposit
from collections_app.selectors.deposits import account_deposit


class InstallmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = DepositInstallment
        fields = ["number", "due_date", "amount", "billed_on"]


class ExplanationSerializer(serializers.Serializer):
    code = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    reason = serializers.CharField(help_text="the policy's computation in words, with the numbers used")
    citation = serializers.CharField(allow_blank=True)
    monthly_bills = serializers.ListField(child=serializers.DecimalField(max_digits=12, decimal_places=2))
    owner = serializers.BooleanField()
    late_payments_12m = serializers.IntegerField()
    disconnections_12m = serializers.IntegerField()
    letter_of_credit = serializers.BooleanField()
    policy_version = serializers.IntegerField()


class DepositSerializer(serializers.ModelSerializer):
    account = serializers.CharField(source="account.number")
    explanation = ExplanationSerializer()
    schedule = InstallmentSerializer(many=True)

    class Meta:
        model = SecurityDeposit
        fields = [
            "id",
            "account",
            "status",
            "required_amount",
            "explanation",
            "installments",
            "schedule",
            "billed_amount",
            "held_amount",
            "held_since",
            "interest_accrued",
            "interest_through",
            "interest_credited",
            "review_on",
            "refund_method",
            "refunded_amount",
            "check_issued_on",
            "waiver_reason",
            "closed_on",
            "created_at",
        ]


class AccountDepositView(APIView):
    """The account's open security deposit (else its latest one), with the policy's explanation."""

    required_permission = "collections_app.view_securitydeposit"

    @extend_schema(
        responses={200: DepositSerializer, 404: OpenApiResponse(description="no deposit on record")}
    )
    def get(self, request: Request, number: str) -> Response:
        account = get_object_or_404(Account.objects.only("id"), number=number)
        deposit = account_deposit(account_id=account.pk)
        if deposit is None:
            raise Http404("No deposit on record for this account.")
        return Response(DepositSerializer(deposit).data)


urlpatterns: list[URLPattern] = [
    path("accounts/<str:number>/deposit", AccountDepositView.as_view(), name="account-deposit"),
]
