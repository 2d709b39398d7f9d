from importlib import import_module

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Supervisor reports"

    def ready(self) -> None:
        from common.navigation import NavItem, nav_register
        from reports.dashboards import DASHBOARD_MODULES

        nav_register(
            NavItem("Supervisor", "reports:home", "common.use_supervision", order=40, workspace=True)
        )
        nav_register(NavItem("Dashboards", "reports:dashboards", "common.use_supervision", order=41))
        for name in DASHBOARD_MODULES:  # a fixed list, not discovery: each registers its metrics
            import_module(f"reports.dashboards.{name}")
        import_module("reports.monthly")  # registers the monthly PDF's job handler
