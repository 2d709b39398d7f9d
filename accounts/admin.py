"""Funds for the administrator: the codes the bill import takes and the GL numbers the journal
carries. Changes land in the audit trail (AuditedAdminMixin)."""

import re

from django import forms
from django.contrib import admin

from accounts.models import Fund, FundKind
from common.admin import AuditedAdminMixin

CODE = re.compile(r"[A-Z0-9]{2,12}")
GL = re.compile(r"[0-9][0-9.\-]{0,19}")


class FundForm(forms.ModelForm):
    class Meta:
        model = Fund
        fields = ["code", "gl_code", "name", "kind", "utility", "priority", "active"]
        help_texts = {
            "code": "What the bill file's fund_code column holds (e.g. WTR). Cannot be changed later.",
            "gl_code": "The general-ledger number the GL journal and its export carry (e.g. 5100).",
            "priority": "Lower settles first when charges fall due the same day.",
        }

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip().upper()
        if not CODE.fullmatch(code):
            raise forms.ValidationError("2 to 12 letters or digits, e.g. WTR.")
        return code

    def clean_gl_code(self) -> str:
        gl = self.cleaned_data["gl_code"].strip()
        if not GL.fullmatch(gl):
            raise forms.ValidationError("Digits, with dots or dashes if the ledger uses them, e.g. 5100.")
        return gl

    def clean(self):  # type: ignore[no-untyped-def]
        cleaned = super().clean()
        kind, utility = cleaned.get("kind"), cleaned.get("utility")
        if kind == FundKind.UTILITY and not utility:
            self.add_error("utility", "A utility-service fund names its utility.")
        elif kind and kind != FundKind.UTILITY and utility:
            self.add_error("utility", "Only a utility-service fund names a utility.")
        code = cleaned.get("code") or (self.instance.code if self.instance.pk else "")
        gl = cleaned.get("gl_code")
        # A code that is another fund's GL number (or the reverse) would make a bill file's
        # fund_code column ambiguous: the import could not tell which fund was meant.
        others = Fund.objects.exclude(pk=self.instance.pk)
        if code and (clash := others.filter(gl_code=code).first()):
            self.add_error("code" if "code" in self.fields else None, f"{code} is the GL number of {clash}.")
        if gl and (clash := others.filter(code=gl).first()):
            self.add_error("gl_code", f"{gl} is the code of fund {clash}.")
        if gl and code and gl == code:
            self.add_error("gl_code", "The GL number must differ from the fund code.")
        return cleaned


@admin.register(Fund)
class FundAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = FundForm
    list_display = ["code", "name", "gl_code", "kind", "utility", "priority", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name", "gl_code"]
    ordering = ["priority", "code"]

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        # bill files, receipts and the process-wide code cache (accounts.selectors.funds) name a
        # fund by its code: it is set once, when the fund is added
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False  # ledger entries keep their fund for ever; a fund no longer used is made inactive
