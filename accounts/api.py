from dataclasses import asdict

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FileUploadParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.import_jobs import bill_import_submit
from accounts.models import Account, LedgerEntry
from accounts.selectors.aging import aging_for_account
from accounts.selectors.search import account_search
from common.api_jobs import JobSerializer, job_accepted


class SearchHitSerializer(serializers.Serializer):
    number = serializers.CharField()
    name = serializers.CharField()
    address = serializers.CharField()
    balance = serializers.DecimalField(max_digits=12, decimal_places=2)
    status = serializers.CharField()
    rank = serializers.DecimalField(max_digits=6, decimal_places=4)


class SearchResponseSerializer(serializers.Serializer):
    results = SearchHitSerializer(many=True)
    next = serializers.CharField(allow_blank=True, help_text="pass as `after` for the next page")


class AccountSearchView(APIView):
    """Find accounts by number, bill number, phone, name or service address (typo-tolerant)."""

    required_permission = "accounts.view_account"

    @extend_schema(
        parameters=[OpenApiParameter("q", str, required=True), OpenApiParameter("after", str)],
        responses=SearchResponseSerializer,
    )
    def get(self, request: Request) -> Response:
        q = request.query_params.get("q", "")
        if len(q.strip()) < 2:
            raise serializers.ValidationError({"q": "Give at least 2 characters."})
        hits = account_search(q=q, after=request.query_params.get("after", ""))
        return Response(
            {
                "results": SearchHitSerializer(hits, many=True).data,
                "next": hits[-1].cursor if len(hits) == 25 else "",
            }
        )


class AgingSerializer(serializers.Serializer):
    current = serializers.DecimalField(max_digits=12, decimal_places=2)
    d1_30 = serializers.DecimalField(max_digits=12, decimal_places=2)
    d31_60 = serializers.DecimalField(max_digits=12, decimal_places=2)
    d61_90 = serializers.DecimalField(max_digits=12, decimal_places=2)
    d91_120 = serializers.DecimalField(max_digits=12, decimal_places=2)
    d120_plus = serializers.DecimalField(max_digits=12, decimal_places=2)


class AccountSerializer(serializers.ModelSerializer):
    customer = serializers.CharField(source="customer.display_name")
    service_address = serializers.CharField(source="premise.__str__")
    services = serializers.SerializerMethodField()
    aging = serializers.SerializerMethodField()

    class Meta:
        model = Account
        fields = [
            "number",
            "customer",
            "service_address",
            "account_class",
            "status",
            "bill_cycle",
            "due_day",
            "opened_on",
            "closed_on",
            "cash_only_until",
            "credit_rating",
            "balance",
            "aging",
            "services",
        ]

    def get_services(self, obj: Account) -> list[dict[str, str]]:
        return [{"utility": s.utility, "status": s.status} for s in obj.services.all() if s.ended_on is None]

    @extend_schema_field(AgingSerializer)
    def get_aging(self, obj: Account) -> dict[str, str]:
        aging = aging_for_account(account_id=obj.pk, as_of=timezone.localdate())
        data = asdict(aging)
        data.pop("balance")
        return {k: str(v) for k, v in data.items()}


class AccountDetailView(APIView):
    """Balance, aging and live services of one account."""

    required_permission = "accounts.view_account"

    @extend_schema(responses=AccountSerializer)
    def get(self, request: Request, number: str) -> Response:
        account = get_object_or_404(
            Account.objects.select_related("customer", "premise").prefetch_related("services"), number=number
        )
        return Response(AccountSerializer(account).data)


class LedgerEntrySerializer(serializers.ModelSerializer):
    fund = serializers.CharField(source="fund.code")

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "effective_date",
            "kind",
            "fund",
            "amount",
            "due_date",
            "reference",
            "reversal_of",
            "created_at",
        ]


class LedgerEntryList(ListAPIView):
    """The account's ledger, newest first, paginated by cursor."""

    required_permission = "accounts.view_account"
    serializer_class = LedgerEntrySerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        account = get_object_or_404(Account.objects.only("id"), number=self.kwargs["number"])
        return LedgerEntry.objects.filter(account_id=account.pk).select_related("fund")


class BillImportView(APIView):
    """Upload a bill CSV (multipart field `file`): answers 202 with the import's job at once (a
    50,000-line file outlasts any request). Poll the job: it imports all lines or none, and a
    failed job lists every bad line by its line in the file. The same file again finds its job."""

    required_permission = "accounts.add_billimport"
    parser_classes = [MultiPartParser, FileUploadParser]

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        },
        responses={202: JobSerializer},
    )
    def post(self, request: Request) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            raise serializers.ValidationError({"file": "Attach the bill CSV as `file`."})
        if not upload.size:
            raise serializers.ValidationError({"file": "The file is empty."})
        job = bill_import_submit(data=upload.read(), file_name=upload.name, actor=request.user)
        return job_accepted(job)
