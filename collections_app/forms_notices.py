"""Forms of notices and deposits (validation only; the services do the work)."""

from uuid import uuid4

from django import forms
from django.utils import timezone

from collections_app.models import NoticeKind, NoticeMethod
from collections_app.services.notices import BATCH_KINDS
from collections_app.validators import date_in_range

# the hidden one-time key is missing: a form from an old page, or not from our page at all
STALE_FORM = "This form is missing its one-time key; reload the page and enter it again."


class BatchBuildForm(forms.Form):
    kind = forms.ChoiceField(
        label="Notice", choices=[(k, label) for k, label in NoticeKind.choices if k in BATCH_KINDS]
    )
    business_date = forms.DateField(
        validators=[date_in_range],
        label="For",
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    # the build runs as a job: a double click or a replayed post finds the job already there
    key = forms.CharField(
        widget=forms.HiddenInput, initial=lambda: str(uuid4()), error_messages={"required": STALE_FORM}
    )


class MarkSentForm(forms.Form):
    sent_on = forms.DateField(
        validators=[date_in_range],
        label="Sent on",
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    method = forms.ChoiceField(label="How", choices=NoticeMethod.choices, initial=NoticeMethod.MAIL)


class NoticeRecordForm(forms.Form):
    kind = forms.ChoiceField(label="Notice", choices=NoticeKind.choices, initial=NoticeKind.SHUTOFF)
    method = forms.ChoiceField(
        label="How it was given", choices=NoticeMethod.choices, initial=NoticeMethod.PHONE
    )
    sent_on = forms.DateField(
        validators=[date_in_range],
        label="Given on",
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(
        label="What was said or left",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="A phone contact: the written policy offered, alternatives discussed (SB 998).",
    )
    key = forms.CharField(
        widget=forms.HiddenInput, initial=lambda: str(uuid4()), error_messages={"required": STALE_FORM}
    )


class DepositComputeForm(forms.Form):
    installments = forms.IntegerField(label="Installments", min_value=1, max_value=12, initial=3)
    letter_of_credit = forms.BooleanField(
        label="Letter of credit from the prior utility received", required=False
    )
    credit_history_months = forms.IntegerField(
        label="Months of good history the letter shows", min_value=0, max_value=240, required=False
    )
    key = forms.CharField(
        widget=forms.HiddenInput, initial=lambda: str(uuid4()), error_messages={"required": STALE_FORM}
    )


class WaiveForm(forms.Form):
    reason = forms.CharField(
        label="Why the deposit is waived",
        min_length=5,
        max_length=500,
        error_messages={"min_length": "Give the reason for the waiver (at least a few words)."},
    )
