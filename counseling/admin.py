from django.contrib import admin

from common.admin import AuditedAdminMixin
from counseling.models import Agency, CreditAuthority, PovertyGuideline


@admin.register(Agency)
class AgencyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "programs", "phone", "days_to_pay", "active"]
    search_fields = ["name", "programs"]


@admin.register(PovertyGuideline)
class PovertyGuidelineAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["year", "region", "first_person", "each_additional", "source"]


@admin.register(CreditAuthority)
class CreditAuthorityAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["user", "max_amount", "max_months"]
    autocomplete_fields = ["user"]
