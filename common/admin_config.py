from django.contrib.admin.apps import AdminConfig


class UtilityAdminConfig(AdminConfig):
    default_site = "common.admin_site.UtilityAdminSite"
