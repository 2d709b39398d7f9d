"""Forms of the refund pages: they validate input only; the services decide."""

from decimal import Decimal
from uuid import uuid4

from crispy_forms.helper import FormHelper
from django import forms

from collections_app.models.refunds import RefundMethod, RefundStatus
from collections_app.validators import date_in_range
from common.amounts import AmountField

DATE = {"widget": forms.DateInput(attrs={"type": "date"}), "validators": [date_in_range]}


class RefundRequestForm(forms.Form):
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid4)
    amount = AmountField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        label="Amount to refund ($)",
        error_messages={
            "required": "Enter the amount to refund.",
            "min_value": "Enter an amount more than zero.",
            "max_decimal_places": "Enter the amount in dollars and cents (at most 2 decimals).",
            "max_digits": "That amount is too large.",
        },
    )
    method = forms.ChoiceField(
        choices=RefundMethod.choices,
        widget=forms.RadioSelect,
        initial=RefundMethod.CHECK,
        label="Pay it",
        error_messages={
            "required": "Choose how the refund is paid.",
            "invalid_choice": "Choose how the refund is paid.",
        },
    )
    reason = forms.CharField(
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why (overpayment, account closed, misapplied transfer...)",
        error_messages={
            "required": "Say why the credit is refunded.",
            "max_length": "Keep the reason to %(limit_value)d characters (it has %(show_value)d).",
        },
    )

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=1000,
        error_messages={
            "required": "Say why the refund is cancelled.",
            "max_length": "Keep the reason to %(limit_value)d characters (it has %(show_value)d).",
        },
    )


class IssueForm(forms.Form):
    check_number = forms.CharField(
        required=False,
        max_length=20,
        error_messages={"max_length": "A check number has at most %(limit_value)d characters."},
    )


class CashedForm(forms.Form):
    check_number = forms.CharField(max_length=20, error_messages={"required": "Enter the check number."})
    cashed_on = forms.DateField(
        **DATE,
        error_messages={"required": "Enter the date the check was cashed.", "invalid": "Enter a valid date."},
    )


class RegisterFilterForm(forms.Form):
    issued_from = forms.DateField(required=False, label="Issued from", **DATE)
    issued_to = forms.DateField(required=False, label="Issued to", **DATE)
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *RefundStatus.choices])
    method = forms.ChoiceField(required=False, choices=[("", "Any method"), *RefundMethod.choices])

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-select" if name in ("status", "method") else "form-control"

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        start, end = data.get("issued_from"), data.get("issued_to")
        if start and end and start > end:
            raise forms.ValidationError("The 'issued from' date is after the 'issued to' date.")
        return data
