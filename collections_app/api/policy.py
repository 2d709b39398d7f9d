"""What-if and decision endpoints: the engine over posted facts, or over a real account."""

from typing import Any

from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Account
from collections_app.api.evaluation_out import EvaluationOut
from collections_app.api.facts_schema import AccountFactsIn, StrictSerializer, facts_from_data
from collections_app.selectors.whatif import evaluate
from collections_app.validators import date_in_range, parse_date_param
from policy.selectors import current_policy
from policy_engine.params import canonical_overrides
from policy_engine.policy import PolicyError, policy_build
from policy_engine.presets import PRESETS


class EvaluateIn(StrictSerializer):
    preset = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text='a preset name (e.g. "CA_SB998_WATER"), or "current" / omitted for the utility\'s policy',
    )
    presets = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="several presets, combined most-protectively"
    )
    overrides = serializers.DictField(
        required=False,
        help_text='dotted parameter paths as the catalogue or rules.md §3 writes them, e.g. {"late_fee.pct": '
        '"0.015"} or {"delinquency.clockStart": "BILL_DATE"}; GET /api/v1/policy/parameters lists them',
    )
    as_of = serializers.DateField(
        required=False, validators=[date_in_range], help_text="evaluation date; default today"
    )
    owner = serializers.BooleanField(default=False, help_text="the customer owns the premise (deposit rules)")
    reconnect_actual_cost = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        help_text="what the reconnection actually costs the utility (a low-income fee is capped at it)",
    )
    estimated_monthly_bills = serializers.ListField(
        child=serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0),
        required=False,
        max_length=24,
        help_text="a new applicant's estimated monthly bills: the deposit is computed on them instead of "
        "the account's bill history",
    )
    low_income_certified_on = serializers.DateField(
        required=False,
        allow_null=True,
        validators=[date_in_range],
        help_text="when the household's low-income status was last certified (recertification due date)",
    )
    facts = AccountFactsIn()


class PresetOut(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    summary = serializers.CharField()


def _policy_from(data: dict[str, Any]):  # type: ignore[no-untyped-def]
    names = list(data.get("presets") or [])
    single = (data.get("preset") or "").strip()
    if single and single.lower() != "current":
        names.insert(0, single)
    overrides = data.get("overrides") or {}
    if not names and not overrides:
        return current_policy()[0]
    if not names:
        version = current_policy()[1]
        names = [p for p in version.presets]
        # one name per parameter, so a rules.md §3 alias replaces the version's value for it
        overrides = {**canonical_overrides(version.overrides), **canonical_overrides(overrides)}
    return policy_build(presets=names, overrides=overrides, name="what-if")


class PolicyEvaluateView(APIView):
    """Evaluate the engine on described facts: the decision (every rule with its reason and
    citation, the earliest permissible date) and the amounts the policy computes. Saves nothing."""

    required_permission = "policy.use_whatif"

    @extend_schema(request=EvaluateIn, responses={200: EvaluationOut})
    def post(self, request: Request) -> Response:
        data = EvaluateIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        # name the field at fault: an unknown preset here, a bad override below
        single = (d.get("preset") or "").strip()
        named = [("preset", single)] if single and single.lower() != "current" else []
        for field, name in named + [("presets", n) for n in d.get("presets") or []]:
            if name not in PRESETS:
                return Response(
                    {field: [f"Unknown preset {name!r}; GET /api/v1/policy/presets lists them."]},
                    status=status.HTTP_400_BAD_REQUEST,
                )
        try:
            policy = _policy_from(d)
        except PolicyError as exc:  # the presets are known: an override is wrong
            return Response({"overrides": [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
        facts = facts_from_data(d["facts"])
        as_of = d.get("as_of") or timezone.localdate()
        result = evaluate(
            policy=policy,
            facts=facts,
            as_of=as_of,
            owner=d["owner"],
            reconnect_actual_cost=d.get("reconnect_actual_cost"),
            estimated_monthly_bills=d.get("estimated_monthly_bills") or None,
            low_income_certified_on=d.get("low_income_certified_on"),
        )
        return Response(EvaluationOut(result).data)


class PresetListView(APIView):
    """The shipped presets (rules.md §2)."""

    required_permission = "policy.use_whatif"

    @extend_schema(responses={200: PresetOut(many=True)})
    def get(self, request: Request) -> Response:
        return Response([{"name": p.name, "label": p.label, "summary": p.summary} for p in PRESETS.values()])


class AccountDecisionView(APIView):
    """The engine's decision for a real account under the utility's current policy."""

    required_permission = "policy.use_whatif"

    @extend_schema(
        parameters=[OpenApiParameter("as_of", OpenApiTypes.DATE, description="default today")],
        responses={200: EvaluationOut},
    )
    def get(self, request: Request, number: str) -> Response:
        from collections_app.selectors.facts import facts_for_account

        account = Account.objects.filter(number=number).only("id").first()
        if account is None:
            return Response({"detail": "No such account."}, status=status.HTTP_404_NOT_FOUND)
        raw = request.query_params.get("as_of")
        try:
            as_of = parse_date_param(raw) if raw else timezone.localdate()
        except ValueError as exc:
            return Response({"as_of": [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
        policy, _version = current_policy()
        facts = facts_for_account(account.pk, as_of=as_of)
        return Response(EvaluationOut(evaluate(policy=policy, facts=facts, as_of=as_of)).data)


urlpatterns = [
    path("policy/evaluate", PolicyEvaluateView.as_view(), name="policy-evaluate"),
    path("policy/presets", PresetListView.as_view(), name="policy-presets"),
    path("accounts/<str:number>/decision", AccountDecisionView.as_view(), name="account-decision"),
]
