from uuid import uuid4

from django import forms

from letters.models import LetterKind


class LetterForm(forms.Form):
    kind = forms.ChoiceField(choices=LetterKind.choices, widget=forms.HiddenInput)
    standard_id = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(
        label="Letter text",
        widget=forms.Textarea(attrs={"rows": 22, "class": "form-control font-monospace"}),
        strip=True,
        help_text="Paragraphs are separated by a blank line.",
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, initial=lambda: str(uuid4()), max_length=64)
