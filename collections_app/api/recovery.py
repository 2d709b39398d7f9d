"""API endpoints of recovery (mounted under /api/v1/): bankruptcy cases of an account, agency
referrals by status."""

from datetime import date

from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Account
from collections_app.models import AgencyReferral, BankruptcyCase, ReferralStatus
from collections_app.selectors.recovery import referrals
from collections_app.services.bankruptcy import CHAPTERS, bankruptcy_record, remaining_pre_petition
from collections_app.validators import date_in_range
from common.exceptions import DomainError


class BankruptcyCaseSerializer(serializers.ModelSerializer):
    account = serializers.CharField(source="account.number")
    chapter = serializers.IntegerField(help_text="7, 11, 12 or 13")
    frozen_pre_petition = serializers.SerializerMethodField(
        help_text="What is still frozen now: min(pre-petition balance - deposit set-off, balance)"
    )

    class Meta:
        model = BankruptcyCase
        fields = [
            "id",
            "account",
            "chapter",
            "case_number",
            "court",
            "petition_date",
            "order_for_relief_date",
            "pre_petition_balance",
            "frozen_pre_petition",
            "assurance_deadline",
            "deadline_reason",
            "assurance_amount",
            "assurance_received_on",
            "status",
            "closed_on",
        ]

    def get_frozen_pre_petition(self, obj: BankruptcyCase) -> str:
        return str(remaining_pre_petition(obj, obj.account.balance)) if obj.status == "open" else "0.00"


class BankruptcyCreateSerializer(serializers.Serializer):
    chapter = serializers.ChoiceField(choices=CHAPTERS)
    case_number = serializers.CharField(max_length=40)
    court = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    petition_date = serializers.DateField(validators=[date_in_range])
    order_for_relief_date = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        validators=[date_in_range],
        help_text="null: the petition date (voluntary case)",
    )

    def validate_petition_date(self, value: date) -> date:
        if value > timezone.localdate():
            raise serializers.ValidationError("The petition date cannot be in the future.")
        return value

    def validate(self, data: dict) -> dict:
        relief = data.get("order_for_relief_date")
        if relief and relief < data["petition_date"]:
            raise serializers.ValidationError(
                {"order_for_relief_date": "The order for relief cannot come before the petition."}
            )
        return data


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()


class BankruptcyView(APIView):
    """An account's bankruptcy cases (newest first), or record a new one. Recording freezes the
    pre-petition balance and returns the adequate-assurance deadline (11 U.S.C. 366)."""

    @property
    def required_permission(self) -> str:
        if self.request.method == "POST":
            return "collections_app.add_bankruptcycase"
        return "collections_app.view_bankruptcycase"

    @extend_schema(responses=BankruptcyCaseSerializer(many=True))
    def get(self, request: Request, number: str) -> Response:
        account = get_object_or_404(Account.objects.only("id"), number=number)
        cases = (
            BankruptcyCase.objects.filter(account_id=account.pk)
            .select_related("account")
            .order_by("-petition_date", "-id")
        )
        return Response(BankruptcyCaseSerializer(cases, many=True).data)

    @extend_schema(
        request=BankruptcyCreateSerializer,
        responses={
            201: BankruptcyCaseSerializer,
            400: OpenApiResponse(
                ErrorSerializer, description="A rule refused it (e.g. a case is already open)"
            ),
        },
    )
    def post(self, request: Request, number: str) -> Response:
        account = get_object_or_404(Account.objects.only("id"), number=number)
        data = BankruptcyCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            case = bankruptcy_record(account_id=account.pk, actor=request.user, **data.validated_data)
        except DomainError as exc:
            return Response({"code": exc.code, "detail": exc.message}, status=status.HTTP_400_BAD_REQUEST)
        return Response(BankruptcyCaseSerializer(case).data, status=status.HTTP_201_CREATED)


class AgencyReferralSerializer(serializers.ModelSerializer):
    account = serializers.CharField(source="account.number")
    agency = serializers.CharField(source="agency.name")
    balance = serializers.DecimalField(source="account.balance", max_digits=12, decimal_places=2)

    class Meta:
        model = AgencyReferral
        fields = [
            "id",
            "account",
            "agency",
            "referred_on",
            "principal",
            "fee_amount",
            "interest_amount",
            "interest_through",
            "collected_amount",
            "balance",
            "status",
            "recalled_on",
            "recall_reason",
            "paid_on",
        ]


class AgencyReferralList(ListAPIView):
    """Agency referrals, newest first, optionally by status."""

    required_permission = "collections_app.view_agencyreferral"
    serializer_class = AgencyReferralSerializer

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=ReferralStatus.values)])
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        wanted = self.request.query_params.get("status", "")
        if wanted and wanted not in ReferralStatus.values:
            raise serializers.ValidationError({"status": f"One of {', '.join(ReferralStatus.values)}."})
        return referrals(status=wanted)


urlpatterns: list[URLPattern] = [
    path("accounts/<str:number>/bankruptcy", BankruptcyView.as_view(), name="account-bankruptcy"),
    path("agency-referrals", AgencyReferralList.as_view(), name="agency-referrals"),
]
