"""Forms for quality review: they only validate; the services decide."""

from uuid import uuid4

from django import forms

from reports.models import ActionCategory, AnswerResult, ChecklistQuestion, WorkKind
from reports.quality_selectors import reviewable_staff

_DATE = forms.DateInput(attrs={"type": "date"})


def _period_checked(form: forms.Form, start_field: str, end_field: str) -> None:
    start, end = form.cleaned_data.get(start_field), form.cleaned_data.get(end_field)
    if start and end and end < start:
        form.add_error(end_field, "The period ends before it starts.")


class StaffChoiceField(forms.ModelChoiceField):
    """People by name, as supervisors know them; the username tells two namesakes apart."""

    def label_from_instance(self, obj) -> str:  # type: ignore[no-untyped-def]
        name = obj.get_full_name()
        return f"{name} ({obj.username})" if name else obj.username


class ReviewFilterForm(forms.Form):
    employee = StaffChoiceField(queryset=reviewable_staff(), required=False, empty_label="Everyone")
    start = forms.DateField(required=False, widget=_DATE, label="Period from")
    end = forms.DateField(required=False, widget=_DATE, label="Period to")

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        # The draw form on the same page has an `employee` field too: distinct ids keep each
        # label bound to its own field.
        kwargs.setdefault("auto_id", "filter_%s")
        super().__init__(*args, **kwargs)

    def clean(self):  # type: ignore[no-untyped-def]
        super().clean()
        _period_checked(self, "start", "end")
        return self.cleaned_data


class DrawForm(forms.Form):
    employee = StaffChoiceField(queryset=reviewable_staff(), label="Employee")
    period_start = forms.DateField(widget=_DATE, label="Period start")
    period_end = forms.DateField(widget=_DATE, label="Period end")
    kinds = forms.MultipleChoiceField(
        choices=WorkKind.choices, widget=forms.CheckboxSelectMultiple, label="Kinds of work"
    )
    sample_size = forms.IntegerField(label="Sample size", initial=10)
    seed = forms.RegexField(
        regex=r"^[0-9a-f]{1,32}$",
        required=False,
        label="Seed (optional)",
        help_text="Leave blank for a fresh random draw; enter an earlier review's seed to draw it again.",
    )
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid4)

    def __init__(self, *args, reviewer=None, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if reviewer is not None:  # nobody reviews their own work (the service refuses it too)
            self.fields["employee"].queryset = reviewable_staff().exclude(pk=reviewer.pk)  # type: ignore[attr-defined]

    def clean(self):  # type: ignore[no-untyped-def]
        super().clean()
        _period_checked(self, "period_start", "period_end")
        return self.cleaned_data


class ScoreForm(forms.Form):
    """One radio group per checklist question of the item's kind, named q<question id>."""

    comment = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, questions: list[ChecklistQuestion], prefix: str, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, prefix=prefix, **kwargs)
        self.questions = questions
        for q in questions:
            self.fields[f"q{q.pk}"] = forms.ChoiceField(
                choices=AnswerResult.choices, widget=forms.RadioSelect, label=q.text
            )

    def question_fields(self) -> list[forms.BoundField]:
        return [self[f"q{q.pk}"] for q in self.questions]

    def answers(self) -> dict[int, str]:
        return {q.pk: self.cleaned_data[f"q{q.pk}"] for q in self.questions}


class ConcludeForm(forms.Form):
    findings = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, label="Findings")
    action_category = forms.ChoiceField(choices=ActionCategory.choices, label="Action")
    action = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
        label="Corrective action or training need",
    )
