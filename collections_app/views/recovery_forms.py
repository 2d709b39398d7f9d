"""Forms of the recovery pages: they validate input only; the services decide."""

from decimal import Decimal
from uuid import uuid4

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone

from collections_app.models import CollectionAgency
from collections_app.selectors.write_off_review import CRITERIA, DECEASED_DOCUMENTS
from collections_app.services.bankruptcy import ASSURANCE_FORMS, CHAPTERS
from collections_app.validators import date_in_range
from common.amounts import AmountField

MONEY = {"max_digits": 12, "decimal_places": 2}
DATE = {"widget": forms.DateInput(attrs={"type": "date"}), "validators": [date_in_range]}


class _Crispy(forms.Form):
    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class WriteOffRequestForm(_Crispy):
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid4)
    criteria = forms.ChoiceField(choices=[("", "—"), *CRITERIA.items()], label="Why it is uncollectible")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="What was tried")
    document = forms.ChoiceField(
        choices=[("", "—"), *DECEASED_DOCUMENTS.items()],
        required=False,
        label="Document seen (debtor deceased, no estate)",
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("reject", "Reject")],
        error_messages={
            "required": "Choose approve or reject.",
            "invalid_choice": "Choose approve or reject.",
        },
    )
    note = forms.CharField(
        required=False,
        max_length=1000,
        error_messages={"max_length": "Keep the note to %(limit_value)d characters (it has %(show_value)d)."},
    )


class RecallForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        label="Recall reason",
        error_messages={
            "required": "Say why the account is recalled from the agency.",
            "max_length": "Keep the reason to %(limit_value)d characters (it has %(show_value)d).",
        },
    )


class RemittanceForm(_Crispy):
    agency = forms.ModelChoiceField(queryset=CollectionAgency.objects.order_by("name"))
    file = forms.FileField(label="Remittance file (CSV)")


class AgencyForm(_Crispy, forms.ModelForm):
    class Meta:
        model = CollectionAgency
        fields = ["name", "contact", "fee_pct", "active"]
        labels = {"fee_pct": "Own fee (fraction, e.g. 0.25)"}

    def clean_fee_pct(self) -> Decimal | None:
        pct = self.cleaned_data.get("fee_pct")
        if pct is not None and not (Decimal(0) <= pct <= Decimal("0.5")):
            raise forms.ValidationError("Enter a fraction between 0 and 0.5 (50% is the most Bremen allows).")
        return pct


class BankruptcyForm(_Crispy):
    chapter = forms.TypedChoiceField(choices=[(c, f"Chapter {c}") for c in CHAPTERS], coerce=int)
    case_number = forms.CharField(max_length=40)
    court = forms.CharField(max_length=120, required=False, initial="U.S. Bankruptcy Court")
    petition_date = forms.DateField(**DATE)
    order_for_relief_date = forms.DateField(
        required=False, help_text="Empty: the petition date (a voluntary case)", **DATE
    )


class AssuranceForm(_Crispy):
    amount = AmountField(min_value=Decimal("0.01"), **MONEY)
    received_on = forms.DateField(initial=timezone.localdate, **DATE)
    form = forms.ChoiceField(choices=list(ASSURANCE_FORMS.items()), label="Form of assurance")


class CloseCaseForm(_Crispy):
    on = forms.DateField(initial=timezone.localdate, label="Date", **DATE)
    note = forms.CharField(required=False, max_length=500)


class ClaimForm(_Crispy):
    court = forms.CharField(max_length=120, initial="Justice Court, small claims division")
    case_number = forms.CharField(max_length=40, required=False)
    filed_on = forms.DateField(initial=timezone.localdate, **DATE)
    claim_amount = AmountField(min_value=Decimal("0.01"), **MONEY)
    filing_fee = AmountField(min_value=Decimal("0"), initial=Decimal("0.00"), **MONEY)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ClaimStepForm(_Crispy):
    on = forms.DateField(initial=timezone.localdate, label="Date", **DATE)
    amount = AmountField(required=False, min_value=Decimal("0.01"), label="Judgment amount", **MONEY)
    note = forms.CharField(required=False, max_length=500)


class CreditLetterForm(_Crispy):
    addressed_to = forms.CharField(max_length=160, label="Addressed to (the new utility)")
    months = forms.TypedChoiceField(
        choices=[(24, "24 months"), (12, "12 months")], coerce=int, label="Period covered"
    )
