from decimal import Decimal
from uuid import uuid4

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone

from common.amounts import AmountField
from common.formatting import format_money
from counseling.models import (
    Agency,
    BenefitProgram,
    HardshipReason,
    IncomeFrequency,
    IncomeSource,
    PovertyGuideline,
    ProgramKind,
)

MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0")}


class _Crispy(forms.Form):
    submit_label = "Save"

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class InterviewForm(_Crispy):
    household_size = forms.IntegerField(min_value=1, max_value=30, label="People in the household")
    region = forms.ChoiceField(
        choices=PovertyGuideline.Region.choices, initial="contiguous", label="Guideline region"
    )
    hardship_reason = forms.ChoiceField(choices=HardshipReason.choices)
    hardship_note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="What happened"
    )
    benefits = forms.MultipleChoiceField(
        choices=BenefitProgram.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Benefits the household receives",
    )
    documents_seen = forms.CharField(
        required=False,
        max_length=500,
        label="Documents seen",
        help_text="e.g. pay stubs, award letter, termination notice",
    )
    documented_hardship = forms.BooleanField(
        required=False,
        label="Documented undue hardship (HSC 116910(b))",
        help_text="Where the policy allows it, a longer payment plan (arrangements.hardship_max_months)",
    )
    hardship_evidence = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Evidence of the hardship",
        help_text="What documents it (e.g. hospital bills, layoff notice); required with the box ticked",
    )
    housing = AmountField(label="Rent / mortgage", initial=0, **MONEY)
    utilities_other = AmountField(label="Other utilities (power, phone)", initial=0, **MONEY)
    food = AmountField(initial=0, **MONEY)
    medical = AmountField(initial=0, **MONEY)
    transportation = AmountField(initial=0, **MONEY)
    childcare = AmountField(initial=0, **MONEY)
    debt_payments = AmountField(label="Other debt payments", initial=0, **MONEY)
    other_expenses = AmountField(label="Other", initial=0, **MONEY)

    def clean(self):  # type: ignore[no-untyped-def]
        cleaned = super().clean()
        if cleaned.get("documented_hardship") and not cleaned.get("hardship_evidence", "").strip():
            self.add_error("hardship_evidence", "Say what documents the hardship.")
        return cleaned


class IncomeForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "—"), *IncomeSource.Kind.choices], required=False, label="Income")
    earner = forms.CharField(max_length=60, required=False, label="Who")
    amount = AmountField(required=False, **MONEY)
    frequency = forms.ChoiceField(
        choices=IncomeFrequency.choices, required=False, initial="monthly", label="How often"
    )

    def clean(self):  # type: ignore[no-untyped-def]
        cleaned = super().clean()
        if cleaned.get("kind") and cleaned.get("amount") is None:
            self.add_error("amount", "Enter the amount.")
        if cleaned.get("amount") is not None and not cleaned.get("kind"):
            self.add_error("kind", "Choose the kind of income.")
        return cleaned


class MemberForm(forms.Form):
    first_name = forms.CharField(max_length=60, required=False, label="First name")
    relationship = forms.CharField(max_length=30, required=False)
    age = forms.IntegerField(min_value=0, max_value=120, required=False)
    disabled = forms.BooleanField(required=False)


IncomeFormSet = forms.formset_factory(IncomeForm, extra=4, max_num=10)
MemberFormSet = forms.formset_factory(MemberForm, extra=4, max_num=30)


class ArrangementForm(_Crispy):
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid4)
    down_payment = AmountField(label="Down payment today", initial=0, **MONEY)
    installments = forms.IntegerField(min_value=1, label="Monthly installments")
    # Not needed to preview a schedule: the service asks for it when the arrangement is proposed.
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why the customer needs it",
        help_text="Needed to propose the arrangement, not to preview the schedule.",
    )

    def __init__(self, *args, limits=None, authority=None, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        # The limits are said before any preview, from the policy in force and the counselor's
        # authority; the form does not refuse a longer term itself, so that a proposal outside
        # the policy still reaches the service and its refusal is stored.
        if limits is not None:
            field = self.fields["installments"]
            if limits.fixed_months is not None:
                said = (
                    f"The policy splits the balance over exactly {limits.fixed_months} monthly installments."
                )
                field.widget.attrs["max"] = limits.fixed_months
            else:
                said = f"The policy allows at most {limits.max_months} monthly installments."
                field.widget.attrs["max"] = limits.max_months
            if authority is not None:
                amount, months = authority
                said += (
                    f" Your credit authority: up to {format_money(amount)} over {months} months;"
                    " above it, a supervisor approves."
                )
            field.help_text = said


class DecisionForm(forms.Form):
    note = forms.CharField(required=False, max_length=1000)


class PledgeForm(_Crispy):
    agency = forms.ModelChoiceField(queryset=Agency.objects.filter(active=True))
    program = forms.CharField(max_length=80, required=False, help_text="Empty: the agency's usual program")
    amount = AmountField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    pledged_on = forms.DateField(initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"}))
    expected_by = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Empty: the agency's usual days to pay",
    )
    reference = forms.CharField(max_length=40, required=False, label="Agency pledge / voucher number")
    period_start = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        label="Billing period from",
        help_text="The billing period the pledge arrived in (TX: it holds shutoff for that period). "
        "Empty: the billing cycle the pledge date falls in, from the bills",
    )
    period_end = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Billing period to"
    )

    def clean(self):  # type: ignore[no-untyped-def]
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if (
            (start is None) != (end is None)
            and not self.has_error("period_start")
            and not self.has_error("period_end")
        ):
            self.add_error(
                "period_end" if end is None else "period_start", "Give both days of the period, or neither."
            )
        elif start and end and end < start:
            self.add_error("period_end", "The billing period ends before it starts.")
        return cleaned


class ReferralForm(_Crispy):
    agency = forms.ModelChoiceField(queryset=Agency.objects.filter(active=True))
    program = forms.CharField(max_length=80, required=False)
    # Kept on the referral for staff only: the customer's letter never prints it.
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Internal note",
        help_text="For staff only: kept with the referral, never printed on the customer's letter.",
    )


class EnrollForm(_Crispy):
    program = forms.ChoiceField(choices=ProgramKind.choices)
    certified_on = forms.DateField(initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"}))


class AgencyCheckForm(forms.Form):
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid4)
    check_number = forms.CharField(max_length=30, label="Agency check number")

    def __init__(self, *args, pledges=(), **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.pledges = list(pledges)
        for p in self.pledges:
            self.fields[f"p_{p.pk}"] = AmountField(required=False, label=f"Pledge {p.pk}", **MONEY)

    def allocations(self) -> list[tuple[int, Decimal]]:
        return [
            (p.pk, self.cleaned_data[f"p_{p.pk}"]) for p in self.pledges if self.cleaned_data.get(f"p_{p.pk}")
        ]


def helper_with_submit(label: str) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", label, css_class="btn-primary"))
    return helper
