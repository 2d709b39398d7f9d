"""The account-facts JSON accepted by the what-if API and page, as DRF serializers so the
OpenAPI document describes every field and bad input gets a per-field message."""

from collections.abc import Mapping
from dataclasses import asdict, fields, is_dataclass
from datetime import date, time
from decimal import Decimal
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers
from rest_framework.settings import api_settings

from collections_app.validators import date_in_range
from policy_engine import facts as f

MONEY = {"max_digits": 12, "decimal_places": 2}


def _date(**kw: Any) -> serializers.DateField:
    """Every date of the facts: within the years the engine can count in (validators.py)."""
    return serializers.DateField(validators=[date_in_range], **kw)


def _money(help_text: str = "", **kw: Any) -> serializers.DecimalField:
    return serializers.DecimalField(**MONEY, help_text=help_text, **kw)


class StrictSerializer(serializers.Serializer):
    """A serializer that refuses keys it does not declare: "Unknown field." under the key, beside
    the object's other errors. DRF drops them silently, so a typo ("returnd", "due") used to give a
    decision on facts other than the ones the caller meant."""

    def to_internal_value(self, data: Any) -> Any:
        unknown = sorted(str(k) for k in data if k not in self.fields) if isinstance(data, Mapping) else []
        if not unknown:
            return super().to_internal_value(data)
        errors: dict[str, Any] = {}
        try:
            super().to_internal_value(data)
        except serializers.ValidationError as exc:
            detail = exc.detail
            errors = (
                dict(detail) if isinstance(detail, Mapping) else {api_settings.NON_FIELD_ERRORS_KEY: detail}
            )
        errors.update({key: ["Unknown field."] for key in unknown})
        raise serializers.ValidationError(errors)


class StrictSerializerSchema(OpenApiSerializerExtension):
    """The OpenAPI side of StrictSerializer: `additionalProperties: false`, so a client generated
    from the schema (or schemathesis) knows an extra key is an error."""

    target_class = StrictSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict:
        schema = auto_schema._map_basic_serializer(self.target, direction)
        return {**schema, "additionalProperties": False}


class FactBillIn(StrictSerializer):
    bill_date = _date()
    due_date = _date()
    amount = _money("billed amount")
    paid_amount = _money("paid or credited against this bill so far", default=Decimal("0.00"))
    is_final = serializers.BooleanField(default=False)
    late_fee_assessed = serializers.BooleanField(
        default=False, help_text="a late fee was already charged on it"
    )

    def validate(self, data: dict) -> dict:
        if data["due_date"] < data["bill_date"]:
            raise serializers.ValidationError("due_date is before bill_date.")
        return data


class FactPaymentIn(StrictSerializer):
    paid_on = _date()
    amount = _money()
    returned = serializers.BooleanField(default=False, help_text="dishonoured (NSF)")
    returned_on = _date(required=False, allow_null=True, default=None)
    to_avoid_disconnect = serializers.BooleanField(default=False)
    restored_service = serializers.BooleanField(default=False, help_text="the payment got service restored")
    at = serializers.TimeField(
        required=False, allow_null=True, default=None, help_text="local time received (due-date cutoffs)"
    )


class FactNoticeIn(StrictSerializer):
    kind = serializers.ChoiceField(choices=f.NOTICE_KINDS)
    sent_on = _date()
    method = serializers.ChoiceField(choices=f.NOTICE_METHODS, default="mail")
    disconnect_on = _date(
        required=False, allow_null=True, default=None, help_text="disconnection date printed on the notice"
    )


class FactContactAttemptIn(StrictSerializer):
    on = _date()
    method = serializers.ChoiceField(choices=["phone", "visit", "email", "third_party"], default="phone")
    reached = serializers.BooleanField(default=False)


class FactMedicalCertificateIn(StrictSerializer):
    received_on = _date()
    valid_until = _date(required=False, allow_null=True, default=None)
    renewal = serializers.IntegerField(min_value=0, default=0)
    financially_unable = serializers.BooleanField(default=False)
    willing_to_plan = serializers.BooleanField(default=False)


class FactPledgeIn(StrictSerializer):
    amount = _money()
    pledged_on = _date()
    expected_by = _date()
    status = serializers.ChoiceField(choices=["pending", "paid", "expired", "cancelled"], default="pending")
    paid_amount = _money(default=Decimal("0.00"))
    period_start = _date(required=False, allow_null=True, default=None, help_text="its billing period")
    period_end = _date(required=False, allow_null=True, default=None)

    def validate(self, data: dict) -> dict:
        start, end = data.get("period_start"), data.get("period_end")
        if start is not None and end is not None and end < start:
            raise serializers.ValidationError("period_end is before period_start.")
        return data


class FactInstallmentIn(StrictSerializer):
    due_date = _date()
    amount = _money()
    paid_amount = _money(default=Decimal("0.00"))
    paid_on = _date(required=False, allow_null=True, default=None)


class FactArrangementIn(StrictSerializer):
    created_on = _date()
    months = serializers.IntegerField(min_value=1, max_value=120)
    total = _money()
    down_payment = _money(default=Decimal("0.00"))
    status = serializers.ChoiceField(
        choices=["active", "kept", "broken", "cancelled", "pending_approval", "rejected"], default="active"
    )
    ended_on = _date(required=False, allow_null=True, default=None)
    installments = FactInstallmentIn(
        many=True, default=list, help_text="scheduled installments; missed = unpaid past due"
    )


class FactBankruptcyIn(StrictSerializer):
    chapter = serializers.ChoiceField(choices=[7, 11, 12, 13])
    petition_date = _date()
    order_for_relief_date = _date(required=False, allow_null=True, default=None)
    assurance_received_on = _date(required=False, allow_null=True, default=None)
    assurance_amount = _money(default=Decimal("0.00"))
    pre_petition_balance = _money(default=Decimal("0.00"))
    discharged_on = _date(required=False, allow_null=True, default=None)
    dismissed_on = _date(required=False, allow_null=True, default=None)


class FactWeatherIn(StrictSerializer):
    on = _date()
    high_f = serializers.IntegerField(required=False, allow_null=True, default=None)
    low_f = serializers.IntegerField(required=False, allow_null=True, default=None)
    heat_advisory = serializers.BooleanField(default=False)
    winter_advisory = serializers.BooleanField(default=False)


class FactDepositIn(StrictSerializer):
    amount = _money()
    held_since = _date()
    interest_credited_through = _date(required=False, allow_null=True, default=None)


class AccountFactsIn(StrictSerializer):
    """Everything the rules look at. Omitted lists are empty; omitted flags are false."""

    account_number = serializers.CharField(max_length=20, required=False, default="")
    residential = serializers.BooleanField(default=True)
    single_family = serializers.BooleanField(default=True)
    utility = serializers.ChoiceField(
        choices=["water", "sewer", "solid_waste", "electric", "gas", "irrigation", "stormwater"],
        default="water",
    )
    system_connections = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)
    landlord_owned = serializers.BooleanField(default=False)
    multiple_dwelling = serializers.BooleanField(default=False)
    service_state = serializers.ChoiceField(
        choices=["connected", "low_flow", "disconnected", "not_disconnectable"], default="connected"
    )
    final_billed_on = _date(required=False, allow_null=True, default=None)
    balance = _money("everything owed today", default=Decimal("0.00"))
    bills = FactBillIn(many=True, default=list)
    payments = FactPaymentIn(many=True, default=list)
    notices = FactNoticeIn(many=True, default=list, help_text="notices sent: kind, date, method")
    contact_attempts = FactContactAttemptIn(many=True, default=list)
    medical_certificates = FactMedicalCertificateIn(many=True, default=list)
    life_support = serializers.BooleanField(default=False)
    pledges = FactPledgeIn(many=True, default=list, help_text="assistance pledges")
    arrangements = FactArrangementIn(
        many=True, default=list, help_text="current and past payment arrangements"
    )
    bankruptcy = FactBankruptcyIn(required=False, allow_null=True, default=None)
    appeal_pending = serializers.BooleanField(default=False)
    poverty_pct = serializers.DecimalField(
        max_digits=6,
        decimal_places=1,
        required=False,
        allow_null=True,
        default=None,
        help_text="household income as a % of the federal poverty line",
    )
    benefit_programs = serializers.ListField(child=serializers.CharField(max_length=20), default=list)
    willing_to_plan = serializers.BooleanField(default=False)
    hardship = serializers.BooleanField(default=False, help_text="documented undue hardship (longer plan)")
    age_65_plus = serializers.BooleanField(default=False)
    weather = FactWeatherIn(many=True, default=list, help_text="temperatures and advisories by date")
    deposits = FactDepositIn(many=True, default=list, help_text="security deposits held")
    disconnections_12m = serializers.IntegerField(min_value=0, default=0)
    late_payments_12m = serializers.IntegerField(min_value=0, default=0)
    letter_of_credit = serializers.BooleanField(
        default=False, help_text="good-payment letter from a prior utility"
    )
    credit_history_months = serializers.IntegerField(min_value=0, default=0)
    owed_prior_balance_24m = serializers.BooleanField(default=False)
    third_party_designated = serializers.BooleanField(default=False)
    disconnect_scheduled = serializers.BooleanField(
        default=False, help_text="a disconnect order is already issued"
    )
    unauthorized_use = serializers.BooleanField(default=False)
    last_late_fee_waiver_on = _date(required=False, allow_null=True, default=None)
    referred_on = _date(
        required=False, allow_null=True, default=None, help_text="sent to a collection agency on"
    )
    uncollectible_reasons = serializers.ListField(child=serializers.CharField(max_length=40), default=list)


_NESTED = {
    "bills": f.BillFact,
    "payments": f.PaymentFact,
    "notices": f.NoticeFact,
    "contact_attempts": f.ContactAttemptFact,
    "medical_certificates": f.MedicalCertificateFact,
    "pledges": f.PledgeFact,
    "arrangements": f.ArrangementFact,
    "weather": f.WeatherFact,
    "deposits": f.DepositFact,
}


def _build(cls: type, data: dict) -> Any:
    known = {fl.name for fl in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in known})


def facts_from_data(data: dict) -> f.AccountFacts:
    """Validated serializer data -> AccountFacts."""
    values = dict(data)
    for name, cls in _NESTED.items():
        items = values.get(name) or []
        if cls is f.ArrangementFact:
            values[name] = tuple(
                _build(
                    cls, {**a, "installments": tuple(_build(f.InstallmentFact, i) for i in a["installments"])}
                )
                for a in items
            )
        else:
            values[name] = tuple(_build(cls, item) for item in items)
    if values.get("bankruptcy"):
        values["bankruptcy"] = _build(f.BankruptcyFact, values["bankruptcy"])
    values["benefit_programs"] = tuple(values.get("benefit_programs") or ())
    values["uncollectible_reasons"] = tuple(values.get("uncollectible_reasons") or ())
    return _build(f.AccountFacts, values)


def to_jsonable(value: Any) -> Any:
    """Dataclasses (facts, decisions) -> JSON-ready dicts: dates ISO, money as strings."""
    if is_dataclass(value) and not isinstance(value, type):
        value = asdict(value)
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items() if k != "extra"}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
