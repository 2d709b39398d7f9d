"""Administrators keep the standard letters. Saving makes a new version (services), never an
edit in place: a letter already sent still points at the words it was made from."""

from django import forms
from django.contrib import admin
from django.utils.html import format_html_join

from common.admin import ReadOnlyAdmin
from common.exceptions import DomainError
from letters.models import SentLetter, StandardLetter
from letters.services import PLACEHOLDERS, standard_letter_problems, standard_letter_revise


class StandardLetterForm(forms.ModelForm):
    class Meta:
        model = StandardLetter
        fields = ["kind", "language", "title", "body", "required_paragraphs"]
        widgets = {"body": forms.Textarea(attrs={"rows": 18, "cols": 100})}

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        problems = standard_letter_problems(
            body=data.get("body", ""), required_paragraphs=data.get("required_paragraphs", "")
        )
        for problem in problems:
            self.add_error("body", problem)
        return data


@admin.register(StandardLetter)
class StandardLetterAdmin(admin.ModelAdmin):
    form = StandardLetterForm
    list_display = ["kind", "language", "version", "title", "created_at", "created_by"]
    list_filter = ["kind", "language"]
    readonly_fields = ["version", "created_at", "created_by", "placeholders"]
    fields = ["kind", "language", "title", "body", "required_paragraphs", "placeholders", "version",
              "created_at", "created_by"]  # fmt: skip

    @admin.display(description="Placeholders")
    def placeholders(self, obj: StandardLetter | None = None) -> str:
        return format_html_join("", "<div><code>{{{}}}</code> {}</div>", PLACEHOLDERS.items())

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False  # sent letters point at their version

    def save_model(self, request, obj, form, change) -> None:  # type: ignore[no-untyped-def]
        # Whether adding or changing, the row saved is a new version; the one edited stays.
        try:
            saved = standard_letter_revise(
                kind=obj.kind, language=obj.language, title=obj.title, body=obj.body,
                required_paragraphs=obj.required_paragraphs, actor=request.user,
            )  # fmt: skip
        except DomainError as exc:  # the form checked the same rules; a race may still get here
            raise forms.ValidationError(exc.message) from exc
        obj.pk, obj.version, obj.created_at, obj.created_by = (
            saved.pk,
            saved.version,
            saved.created_at,
            saved.created_by,
        )

    def log_change(self, request, obj, message):  # type: ignore[no-untyped-def]
        return super().log_addition(request, obj, message)  # the service wrote the audit row


@admin.register(SentLetter)
class SentLetterAdmin(ReadOnlyAdmin):
    list_display = ["title", "account", "language", "adapted", "sent_by", "sent_at"]
    list_filter = ["adapted", "language"]
