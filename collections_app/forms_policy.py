from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone

from collections_app.models import ContactAttempt
from collections_app.validators import date_in_range
from common.amounts import AmountField
from policy_engine.presets import PRESETS


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    return helper


def preset_choices() -> list[tuple[str, str]]:
    return [(p.name, f"{p.name} — {p.label}") for p in PRESETS.values()]


class WhatIfForm(forms.Form):
    account_number = forms.CharField(
        required=False, max_length=12, help_text="start from a real account's facts (or paste facts below)"
    )
    as_of = forms.DateField(
        validators=[date_in_range], label="As of", widget=forms.DateInput(attrs={"type": "date"})
    )
    presets = forms.MultipleChoiceField(
        required=False,
        choices=preset_choices,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="empty: the utility's current policy; several are combined most-protectively",
    )
    pay_amount = AmountField(
        required=False, min_value=0.01, max_digits=12, decimal_places=2, label="If the customer pays $"
    )
    pay_on = forms.DateField(
        validators=[date_in_range], required=False, label="on", widget=forms.DateInput(attrs={"type": "date"})
    )
    pledge_amount = AmountField(
        required=False, min_value=0.01, max_digits=12, decimal_places=2, label="If an agency pledges $"
    )
    pledge_expected_by = forms.DateField(
        validators=[date_in_range],
        required=False,
        label="expected by",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    medical_on = forms.DateField(
        validators=[date_in_range],
        required=False,
        label="If a medical certificate arrives on",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    appeal_pending = forms.BooleanField(required=False, label="If an appeal is filed")
    notice_kind = forms.ChoiceField(
        required=False,
        choices=[
            ("", "—"),
            ("reminder", "Reminder"),
            ("shutoff", "Shutoff notice"),
            ("final", "Final notice"),
        ],
        label="If a notice is sent",
    )
    notice_on = forms.DateField(
        validators=[date_in_range], required=False, label="on", widget=forms.DateInput(attrs={"type": "date"})
    )
    facts_json = forms.CharField(
        required=False,
        label="Facts (JSON)",
        widget=forms.Textarea(attrs={"rows": 8, "class": "font-monospace small"}),
        help_text="the same schema as POST /api/v1/policy/evaluate 'facts'; filled in from the account",
    )

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["as_of"].initial = timezone.localdate()
        self.helper = _helper()

    def clean(self) -> dict:
        data = super().clean()
        for amount, when, label in (
            ("pay_amount", "pay_on", "payment"),
            ("pledge_amount", "pledge_expected_by", "pledge"),
            ("notice_kind", "notice_on", "notice"),
        ):
            if self.has_error(amount) or self.has_error(when):
                continue  # its own error says what is wrong; "give both" would mislead
            if bool(data.get(amount)) != bool(data.get(when)):
                self.add_error(
                    when if data.get(amount) else amount, f"Give both the {label} and its date, or neither."
                )
        if not data.get("account_number") and not (data.get("facts_json") or "").strip():
            raise forms.ValidationError("Enter an account number or paste the facts.")
        return data


class PolicyVersionForm(forms.Form):
    name = forms.CharField(max_length=80, initial="Utility policy")
    presets = forms.MultipleChoiceField(
        choices=preset_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="combined most-protectively (longest waiting periods, every protection, lowest fee caps)",
    )
    overrides = forms.JSONField(
        required=False,
        initial=dict,
        widget=forms.Textarea(attrs={"rows": 6, "class": "font-monospace small"}),
        help_text='dotted parameter paths to values, e.g. {"late_fee.floor": "7.50"}',
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), help_text="why this change (kept with the version)"
    )

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean_overrides(self) -> dict:
        value = self.cleaned_data.get("overrides") or {}
        if not isinstance(value, dict):
            raise forms.ValidationError('Overrides must be a JSON object like {"late_fee.pct": "0.015"}.')
        return value


class HolidayForm(forms.Form):
    on = forms.DateField(
        validators=[date_in_range], label="Date", widget=forms.DateInput(attrs={"type": "date"})
    )
    name = forms.CharField(max_length=80)

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class WeatherForm(forms.Form):
    on = forms.DateField(
        validators=[date_in_range], label="Date", widget=forms.DateInput(attrs={"type": "date"})
    )
    high_f = forms.IntegerField(required=False, min_value=-80, max_value=140, label="High °F")
    low_f = forms.IntegerField(required=False, min_value=-80, max_value=140, label="Low °F")
    heat_advisory = forms.BooleanField(required=False, label="NWS heat advisory / excessive-heat warning")
    winter_advisory = forms.BooleanField(required=False, label="NWS winter-weather advisory")
    source = forms.CharField(max_length=80, required=False, help_text="e.g. NWS forecast 6 a.m.")

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class MedicalCertificateForm(forms.Form):
    received_on = forms.DateField(validators=[date_in_range], widget=forms.DateInput(attrs={"type": "date"}))
    certifier = forms.CharField(max_length=120, label="Certifying practitioner")
    valid_until = forms.DateField(
        validators=[date_in_range],
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="empty: the policy's validity period",
    )
    financially_unable = forms.BooleanField(required=False, label="Customer is financially unable to pay")
    willing_to_plan = forms.BooleanField(required=False, label="Customer is willing to enter a payment plan")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AppealForm(forms.Form):
    opened_on = forms.DateField(validators=[date_in_range], widget=forms.DateInput(attrs={"type": "date"}))
    subject = forms.CharField(max_length=200, help_text="what the customer disputes")


class ContactAttemptForm(forms.Form):
    at = forms.DateTimeField(
        validators=[date_in_range], label="When", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    method = forms.ChoiceField(choices=ContactAttempt.Method.choices)
    reached = forms.BooleanField(required=False, label="An adult at the household was reached")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


def submit_helper(label: str) -> FormHelper:
    from crispy_forms.layout import Submit

    helper = FormHelper()
    helper.add_input(Submit("submit", label, css_class="btn-primary"))
    return helper
