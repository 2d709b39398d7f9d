from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Supervisor reports"

    def ready(self) -> None:
        from common.navigation import NavItem, nav_register

        nav_register(
            NavItem("Supervisor", "reports:home", "common.use_supervision", order=40, workspace=True)
        )
