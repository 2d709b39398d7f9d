"""`GET /api/v1/policy/parameters`: the parameter catalogue (rules.md §3) with the values in force.

Every field is typed for OpenAPI; a parameter value, which is a number, text, a flag, a list or
a lead period depending on the parameter, is one `ParameterValue` schema (decimals as strings,
as money is everywhere in this API)."""

from decimal import Decimal
from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from collections_app.selectors.parameters import parameter_listing
from policy_engine.catalogue import SPECS, UNITS

KINDS = sorted({spec.kind for spec in SPECS})

VALUE_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "description": "text, a choice, a decimal number, MM-DD, HH:MM or a date"},
        {"type": "integer"},
        {"type": "boolean"},
        {"type": "array", "items": {"type": "string"}},
        {"type": "array", "items": {"type": "integer"}},
        {
            "type": "object",
            "description": "a lead period",
            "properties": {"value": {"type": "integer"}, "unit": {"type": "string", "enum": list(UNITS)}},
            "required": ["value", "unit"],
            "additionalProperties": False,
        },
        {
            "type": "array",
            "description": "tiers: [[max % FPL or null, months], ...]",
            "items": {
                "type": "array",
                "items": {"type": "integer", "nullable": True},
                "minItems": 2,
                "maxItems": 2,
            },
        },
    ],
    "nullable": True,
}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@extend_schema_field(VALUE_SCHEMA)
class ParameterValueField(serializers.Field):
    def to_representation(self, value: Any) -> Any:
        return _plain(value)


@extend_schema_field({"anyOf": [{"type": "string"}, {"type": "boolean"}]})
class AllowedValueField(serializers.Field):
    def to_representation(self, value: Any) -> Any:
        return value


class InForceOut(serializers.Serializer):
    preset = serializers.CharField(help_text="the preset layer of the current policy")
    value = ParameterValueField(allow_null=True)
    set_by = serializers.CharField(
        help_text='"override" (the policy version\'s own), the preset, "FED_BANKRUPTCY" or "DEFAULT"'
    )
    citation = serializers.CharField(allow_blank=True)


class ParameterOut(serializers.Serializer):
    name = serializers.CharField(help_text="canonical dotted path, as stored in a policy version")
    rules_md_name = serializers.CharField(
        allow_null=True, help_text="the name rules.md §3 gives it, when different (also accepted)"
    )
    type = serializers.ChoiceField(choices=KINDS)
    nullable = serializers.BooleanField()
    default = ParameterValueField(allow_null=True, help_text="the DEFAULT value (rules.md §3)")
    allowed_values = serializers.ListField(
        child=AllowedValueField(), help_text="the choices (for a list: of its items); true/false for a flag"
    )
    description = serializers.CharField()
    source = serializers.CharField(allow_blank=True, help_text="where the default comes from")
    in_force = InForceOut(many=True, help_text="the value under the current version, per preset layer")


class ParameterPolicyOut(serializers.Serializer):
    name = serializers.CharField()
    version = serializers.IntegerField()
    presets = serializers.ListField(child=serializers.CharField())


class ParameterListOut(serializers.Serializer):
    policy = ParameterPolicyOut()
    parameters = ParameterOut(many=True)


class ParameterListView(APIView):
    """Every policy parameter: name, type, default, allowed values, source, and the value in force."""

    required_permission = "policy.use_whatif"

    @extend_schema(responses={200: ParameterListOut})
    def get(self, request: Request) -> Response:
        return Response(ParameterListOut(parameter_listing()).data)


urlpatterns = [path("policy/parameters", ParameterListView.as_view(), name="policy-parameters")]
