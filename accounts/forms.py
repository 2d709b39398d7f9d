from uuid import uuid4

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone

from accounts.models import ContactChannel, ContactOutcome, Fund, Premise, ReasonCode, Utility
from accounts.models.customers import language_choices
from common.amounts import AmountField


class _Form(forms.Form):
    submit_label = "Save"

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", self.submit_label, css_class="btn-primary"))


class IdempotentForm(_Form):
    """Carries a key minted when the form is shown: a double click or a resubmitted POST reuses
    it, and the service posts once."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid4)


def _reasons(kind: str):  # type: ignore[no-untyped-def]
    return ReasonCode.objects.filter(kind=kind, active=True)


class AdjustmentForm(IdempotentForm):
    submit_label = "Post adjustment"
    fund = forms.ModelChoiceField(queryset=Fund.objects.filter(active=True))
    amount = AmountField(
        max_digits=12,
        decimal_places=2,
        help_text="Negative to credit the customer (e.g. -25.00), positive to charge.",
    )
    reason = forms.ModelChoiceField(queryset=_reasons(ReasonCode.Kind.ADJUSTMENT), label="Reason code")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def clean_amount(self):  # type: ignore[no-untyped-def]
        amount = self.cleaned_data["amount"]
        if amount == 0:
            raise forms.ValidationError("Enter an amount other than zero.")
        return amount


class DecisionForm(_Form):
    note = forms.CharField(
        required=False,
        max_length=1000,
        label="Decision note",
        widget=forms.TextInput(attrs={"placeholder": "Required to reject"}),
    )


class TransferForm(IdempotentForm):
    submit_label = "Move payment"
    payment = forms.ChoiceField(label="Payment to move")
    to_account_number = forms.CharField(max_length=12, label="Move to account number")
    reason = forms.ModelChoiceField(queryset=_reasons(ReasonCode.Kind.TRANSFER), label="Reason")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)

    def __init__(self, *args, payments=(), **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["payment"].choices = [
            (
                f"{p['effective_date'].isoformat()}|{p['reference']}",
                f"{p['effective_date']:%b %d, %Y} · {p['reference'] or 'no reference'} · ${-p['total']:,.2f}",
            )
            for p in payments
        ]


class ContactForm(_Form):
    submit_label = "Log contact"
    channel = forms.ChoiceField(choices=ContactChannel.choices)
    inbound = forms.TypedChoiceField(
        choices=[("1", "Customer contacted us"), ("0", "We contacted the customer")],
        coerce=lambda v: v == "1",
        initial="1",
        label="Direction",
    )
    reason = forms.ModelChoiceField(queryset=_reasons(ReasonCode.Kind.CONTACT))
    outcome = forms.ChoiceField(choices=ContactOutcome.choices)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, required=False)
    follow_up_on = forms.DateField(
        required=False, label="Follow up on", widget=forms.DateInput(attrs={"type": "date"})
    )
    escalated = forms.BooleanField(required=False, label="Escalated (elevated call)")

    def clean(self):  # type: ignore[no-untyped-def]
        cleaned = super().clean()
        if cleaned.get("escalated") and not cleaned.get("follow_up_on"):
            self.add_error("follow_up_on", "An escalated contact needs a follow-up date.")
        if (d := cleaned.get("follow_up_on")) and d < timezone.localdate():
            self.add_error("follow_up_on", "The follow-up date cannot be in the past.")
        return cleaned


class ContactInfoForm(_Form):
    submit_label = "Save contact details"
    phone = forms.CharField(max_length=20, required=False)
    alt_phone = forms.CharField(max_length=20, required=False, label="Other phone")
    email = forms.EmailField(required=False)
    mail_line1 = forms.CharField(max_length=120, required=False, label="Mailing address")
    mail_line2 = forms.CharField(max_length=120, required=False, label="Address line 2")
    mail_city = forms.CharField(max_length=60, required=False, label="City")
    mail_state = forms.CharField(max_length=2, required=False, label="State")
    mail_postal_code = forms.RegexField(
        regex=r"^\d{5}(-\d{4})?$",
        required=False,
        label="ZIP code",
        error_messages={"invalid": "Enter a ZIP code like 85004 or 85004-1234."},
    )
    # Only languages with a catalogue: a choice the documents cannot print in would promise
    # a Vietnamese notice and send an English one.
    preferred_language = forms.ChoiceField(
        choices=language_choices,
        label="Preferred language",
        help_text="Notices, letters and receipts print in this language.",
    )

    def clean_phone(self):  # type: ignore[no-untyped-def]
        phone = self.cleaned_data["phone"]
        digits = "".join(c for c in phone if c.isdigit())
        if phone and len(digits) not in (10, 11):
            raise forms.ValidationError("Enter a 10-digit phone number.")
        return phone


class DueDayForm(_Form):
    submit_label = "Change due day"
    due_day = forms.IntegerField(
        min_value=1,
        max_value=28,
        required=False,
        help_text="Day of the month bills fall due (1–28); empty follows the bill cycle.",
    )


class ServiceStartForm(_Form):
    submit_label = "Start service"
    utility = forms.ChoiceField(choices=Utility.choices)
    on = forms.DateField(
        label="Start date", widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )
    meter_number = forms.CharField(max_length=20, required=False)


class ServiceStopForm(_Form):
    submit_label = "Stop service"
    utility = forms.ChoiceField(choices=())
    on = forms.DateField(
        label="Stop date", widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )

    def __init__(self, *args, live=(), **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["utility"].choices = [(s.utility, s.get_utility_display()) for s in live]


class ServiceTransferForm(_Form):
    submit_label = "Transfer service"
    premise = forms.ModelChoiceField(
        queryset=Premise.objects.none(),
        label="New service address",
        widget=forms.NumberInput,
        help_text="Premise id of the new address.",
    )
    on = forms.DateField(
        label="Move date", widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["premise"].queryset = Premise.objects.all()
        self.fields["premise"].error_messages["invalid_choice"] = "No premise with that id."


class BillImportForm(_Form):
    submit_label = "Import bills"
    file = forms.FileField(label="Bill file (CSV)")
