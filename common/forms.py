from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import get_user_model


class AuditFilterForm(forms.Form):
    actor = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        label="Staff member",
        empty_label="Anyone",
    )
    account_id = forms.IntegerField(required=False, min_value=1, label="Account id")
    verb = forms.CharField(
        required=False, max_length=64, label="Action starts with", help_text="For example auth. or payment."
    )
    since = forms.DateField(required=False, label="From date", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(
        required=False, label="Through date", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = get_user_model().objects.order_by("username")
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_class = "row g-2 align-items-end"
        self.helper.field_class = ""
        self.helper.add_input(Submit("filter", "Filter", css_class="btn-primary"))

    def clean(self):  # type: ignore[no-untyped-def]
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            raise forms.ValidationError("The from date must be on or before the through date.")
        return cleaned
