"""Admin screens for the administrator; every change they make lands in the audit trail."""

from datetime import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.template.response import TemplateResponse
from django.utils import timezone

from common.audit import audit_record
from common.models import AuditEvent, IntegrationToken, UtilityContact
from common.tokens import token_issue, token_revoke


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


@admin.register(User)
class AuditedUserAdmin(AuditedAdminMixin, UserAdmin):
    pass


@admin.register(Group)
class AuditedGroupAdmin(AuditedAdminMixin, GroupAdmin):
    pass


def _when(value: datetime | None) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else "—"


class TokenStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):  # type: ignore[no-untyped-def]
        return [("active", "Active"), ("expired", "Expired"), ("revoked", "Revoked")]

    def queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        now = timezone.now()
        if self.value() == "active":
            return queryset.usable(at=now)
        if self.value() == "expired":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


class IntegrationTokenForm(forms.ModelForm):
    class Meta:
        model = IntegrationToken
        fields = ["name", "user", "expires_at"]

    def clean_expires_at(self):  # type: ignore[no-untyped-def]
        expires_at = self.cleaned_data["expires_at"]
        if expires_at is not None and expires_at <= timezone.now():
            raise forms.ValidationError("The expiry must be in the future (or empty: no expiry).")
        return expires_at


@admin.register(IntegrationToken)
class IntegrationTokenAdmin(admin.ModelAdmin):
    """Issue (the key is shown once), list and revoke. Never edited or deleted: a revoked token
    stays listed with its dates. The services write the audit rows."""

    list_display = ["prefix", "name", "user", "created", "expires", "last_used", "revoked", "state"]
    list_select_related = ["user"]
    list_filter = [TokenStateFilter]
    search_fields = ["name", "prefix", "user__username"]
    actions = ["revoke"]
    form = IntegrationTokenForm
    readonly_fields = ["prefix", "created_at", "created_by", "last_used_at", "revoked_at", "revoked_by"]

    def get_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        if obj is None:
            return ["name", "user", "expires_at"]
        return ["prefix", "name", "user", "created_at", "created_by", "expires_at", "last_used_at",
                "revoked_at", "revoked_by"]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return self.readonly_fields if obj is None else self.get_fields(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    @admin.display(description="State")
    def state(self, obj: IntegrationToken) -> str:
        return obj.state(at=timezone.now())

    @admin.display(description="Created", ordering="created_at")
    def created(self, obj: IntegrationToken) -> str:
        return _when(obj.created_at)

    @admin.display(description="Expires", ordering="expires_at")
    def expires(self, obj: IntegrationToken) -> str:
        return _when(obj.expires_at) if obj.expires_at else "never"

    @admin.display(description="Last used", ordering="last_used_at")
    def last_used(self, obj: IntegrationToken) -> str:
        return _when(obj.last_used_at) if obj.last_used_at else "never"

    @admin.display(description="Revoked", ordering="revoked_at")
    def revoked(self, obj: IntegrationToken) -> str:
        return _when(obj.revoked_at)

    def save_model(self, request, obj, form, change) -> None:  # type: ignore[no-untyped-def]
        if change:
            return  # every field is read-only once issued
        token, key = token_issue(user=obj.user, name=obj.name, expires_at=obj.expires_at, actor=request.user)
        obj.pk, obj.prefix, obj.key_hash, obj.created_at = (
            token.pk,
            token.prefix,
            token.key_hash,
            token.created_at,
        )
        request._issued_key = key  # shown by response_add, then gone

    def response_add(self, request, obj, post_url_continue=None):  # type: ignore[no-untyped-def]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "token": obj,
            "key": request._issued_key,
            "title": "Integration token issued",
        }
        return TemplateResponse(request, "admin/common/integrationtoken/issued.html", context)

    @admin.action(description="Revoke selected tokens", permissions=["change"])
    def revoke(self, request, queryset) -> None:  # type: ignore[no-untyped-def]
        for pk in queryset.filter(revoked_at__isnull=True).values_list("pk", flat=True):
            token_revoke(token_id=pk, actor=request.user)
        self.message_user(request, "Revoked: the next call with those keys is refused.", messages.SUCCESS)


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record the admin shows and never adds, edits or deletes (an audit trail, a letter sent):
    what it holds is evidence, written only by the services."""

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_label", "verb", "target_label", "account_id", "ip_address"]
    list_filter = ["verb"]
    search_fields = ["actor_label", "target_label", "verb"]


@admin.register(UtilityContact)
class UtilityContactAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """The one row of contact details every document prints; edited, never added or deleted
    (the data migration made it)."""

    list_display = ["name", "customer_service_phone", "counseling_phone", "emergency_phone", "office_hours"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
