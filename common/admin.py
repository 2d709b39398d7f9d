"""Admin screens for the administrator; every change they make lands in the audit trail."""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from common.audit import audit_record
from common.models import AuditEvent


class AuditedAdminMixin:
    """ModelAdmin logs inside its own transaction; we add our audit row next to its LogEntry."""

    def log_addition(self, request, obj, message):  # type: ignore[no-untyped-def]
        audit_record(actor=request.user, verb=f"admin.add.{obj._meta.model_name}", target=obj)
        return super().log_addition(request, obj, message)  # type: ignore[misc]

    def log_change(self, request, obj, message):  # type: ignore[no-untyped-def]
        audit_record(
            actor=request.user,
            verb=f"admin.change.{obj._meta.model_name}",
            target=obj,
            data={"change": message if isinstance(message, list) else str(message)},
        )
        return super().log_change(request, obj, message)  # type: ignore[misc]

    def log_deletions(self, request, queryset):  # type: ignore[no-untyped-def]
        for obj in queryset:
            audit_record(actor=request.user, verb=f"admin.delete.{obj._meta.model_name}", target=obj)
        return super().log_deletions(request, queryset)  # type: ignore[misc]


admin.site.unregister(User)
admin.site.unregister(Group)
admin.site.unregister(TokenProxy)


@admin.register(User)
class AuditedUserAdmin(AuditedAdminMixin, UserAdmin):
    pass


@admin.register(Group)
class AuditedGroupAdmin(AuditedAdminMixin, GroupAdmin):
    pass


@admin.register(TokenProxy)
class AuditedTokenAdmin(AuditedAdminMixin, TokenAdmin):
    pass


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_label", "verb", "target_label", "account_id", "ip_address"]
    list_filter = ["verb"]
    search_fields = ["actor_label", "target_label", "verb"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
