from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Customer accounts"

    def ready(self) -> None:
        from common.navigation import NavItem, nav_register

        nav_register(NavItem("Find account", "accounts:search", "accounts.view_account", order=5))
        nav_register(NavItem("My follow-ups", "accounts:followups", "accounts.view_account", order=6))
