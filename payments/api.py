from decimal import Decimal

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Account
from accounts.selectors.funds import fund_codes
from common.exceptions import DomainError
from payments.models import TenderKind
from payments.services.posting import Line, TenderSpec, transaction_post

API_TENDERS = [TenderKind.CARD, TenderKind.ELECTRONIC, TenderKind.CHECK]


class PaymentIn(serializers.Serializer):
    account_number = serializers.CharField(max_length=12)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    tender = serializers.ChoiceField(
        choices=[(k.value, k.label) for k in API_TENDERS],
        help_text="card or electronic (IVR, web portal), or check (e-check)",
    )
    card_last4 = serializers.RegexField(
        r"^\d{4}$",
        required=False,
        allow_blank=True,
        help_text="last 4 digits only; never send a full card number",
    )
    auth_code = serializers.CharField(max_length=12, required=False, allow_blank=True)
    reference = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text="the caller's confirmation number, or the e-check number",
    )
    received_at = serializers.DateTimeField(
        required=False,
        help_text=(
            "when the customer paid (IVR call, web checkout), if not now: today, not in the future. "
            "Due-date cutoffs read its local time of day (e.g. 5 p.m. under 16 TAC 24.165(b))"
        ),
    )
    idempotency_key = serializers.UUIDField(
        help_text=(
            "one per payment attempt, the caller's own: a retry with the same key and the same body "
            "answers the first receipt (201, header Idempotent-Replayed: true); the same key with a "
            "different body is refused with 409"
        )
    )


class DistributionOut(serializers.Serializer):
    fund = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)


class PaymentOut(serializers.Serializer):
    receipt_number = serializers.CharField()
    account_number = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    balance = serializers.DecimalField(max_digits=12, decimal_places=2)
    distribution = DistributionOut(many=True)


class PaymentPostView(APIView):
    """Post a payment from an IVR or web portal. Idempotent per caller and `idempotency_key`."""

    required_permission = "payments.add_payment"

    @extend_schema(request=PaymentIn, responses={201: PaymentOut, 409: None})
    def post(self, request: Request) -> Response:
        data = PaymentIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        account = Account.objects.filter(number=d["account_number"]).first()
        if account is None:
            return Response({"account_number": ["No such account."]}, status=status.HTTP_400_BAD_REQUEST)
        tender = TenderSpec(
            kind=d["tender"],
            amount=d["amount"],
            card_last4=d.get("card_last4", ""),
            auth_code=d.get("auth_code", ""),
            check_number=d.get("reference", "") if d["tender"] == TenderKind.CHECK else "",
            reference=d.get("reference", ""),
        )
        try:
            txn = transaction_post(
                lines=[Line(account.pk, d["amount"])],
                tenders=[tender],
                actor=request.user,
                idempotency_key=d["idempotency_key"],
                received_at=d.get("received_at"),
            )
        except DomainError as exc:
            conflict = exc.code == "idempotency.mismatch"
            return Response(
                {"code": exc.code, "detail": exc.message},
                status=status.HTTP_409_CONFLICT if conflict else status.HTTP_400_BAD_REQUEST,
            )
        posted = getattr(txn, "posted_payments", None)
        if posted is None:  # a replay: the first posting's receipt, read back
            payment = txn.payments.select_related("account").get()
            balance = Account.objects.values_list("balance", flat=True).get(pk=payment.account_id)
            rows = [(d.fund_id, d.amount) for d in payment.distribution.order_by("id")]
        else:  # posted now: what the service wrote, not read again
            payment = posted[0]
            balance = payment.account.balance
            rows = [(d.fund_id, d.amount) for d in payment.posted_distribution]
        codes = fund_codes()
        return Response(
            PaymentOut(
                {
                    "receipt_number": txn.receipt_number,
                    "account_number": payment.account.number,
                    "amount": payment.amount,
                    "balance": balance,
                    "distribution": [{"fund": codes[f], "amount": a} for f, a in rows],
                }
            ).data,
            status=status.HTTP_201_CREATED,  # a replay answers as the first call did
            headers={"Idempotent-Replayed": "true"} if getattr(txn, "replayed", False) else None,
        )
