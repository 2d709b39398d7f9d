from django.contrib import admin

from common.admin import AuditedAdminMixin
from reports.models import ChecklistQuestion


@admin.register(ChecklistQuestion)
class ChecklistQuestionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["text", "kind", "position", "active"]
    list_filter = ["kind", "active"]
    list_editable = ["position", "active"]
    search_fields = ["text"]
