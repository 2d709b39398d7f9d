"""Forms of the shutoff list and service orders (validation only; the services do the work)."""

from decimal import Decimal
from uuid import uuid4

from django import forms
from django.utils import timezone

from collections_app.models.orders import OrderOutcome
from collections_app.validators import date_in_range
from common.amounts import AmountField


class ExcludeForm(forms.Form):
    reason = forms.CharField(
        label="Why it comes off the list",
        min_length=5,
        max_length=500,
        error_messages={"min_length": "Say why the account comes off the list (at least a few words)."},
    )


class DispatchForm(forms.Form):
    crew = forms.CharField(label="Crew", max_length=40)
    orders = forms.TypedMultipleChoiceField(
        coerce=int, choices=(), error_messages={"required": "Select orders."}
    )

    def __init__(self, *args, order_ids: list[int] | None = None, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["orders"].choices = [(i, i) for i in order_ids or []]


class CompleteForm(forms.Form):
    outcome = forms.ChoiceField(label="Outcome", choices=OrderOutcome.choices, initial=OrderOutcome.DONE)
    completed_at = forms.DateTimeField(
        validators=[date_in_range],
        label="Done at",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="empty: now",
    )
    meter_reading = forms.CharField(label="Meter reading", max_length=20, required=False)
    note = forms.CharField(
        label="Note", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    actual_cost = AmountField(
        label="Actual cost of the reconnection",
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        help_text="reconnect: what the work cost, if known (SB 998 caps the fee at it)",
    )

    def clean_completed_at(self):  # type: ignore[no-untyped-def]
        value = self.cleaned_data["completed_at"]
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value


class CancelForm(forms.Form):
    reason = forms.CharField(label="Why the order is cancelled", min_length=5, max_length=500)


class FieldVisitForm(forms.Form):
    reason = forms.CharField(label="What the crew is to do", max_length=500)
    scheduled_for = forms.DateField(
        validators=[date_in_range], label="Visit on", widget=forms.DateInput(attrs={"type": "date"})
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, initial=lambda: str(uuid4()))
