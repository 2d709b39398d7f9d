from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Supervisor reports"

    def ready(self) -> None:
        from common.navigation import NavItem, nav_register

        nav_register(
            NavItem("Supervisor", "reports:home", "common.use_supervision", order=40, workspace=True)
        )
        nav_register(NavItem("Quality review", "reports:quality", "common.use_supervision", order=41))
        nav_register(NavItem("My reviews", "reports:my_reviews", None, order=90))
