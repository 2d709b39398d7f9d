from importlib import import_module
from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _quality_checklist(sender: Any, **kwargs: Any) -> None:
    from reports.quality_checklist import checklist_defaults_sync

    checklist_defaults_sync()


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Supervisor reports"

    def ready(self) -> None:
        from common.navigation import NavItem, nav_register
        from reports.approvals import waiting_count
        from reports.dashboards import DASHBOARD_MODULES

        nav_register(
            NavItem(
                "Supervisor",
                "reports:home",
                "common.use_supervision",
                order=40,
                workspace=True,
                count=waiting_count,  # the approvals queue's badge, a link to the queue
                count_url_name="reports:approvals",
            )
        )
        nav_register(
            NavItem("Dashboards", "reports:dashboards", "common.use_supervision", order=41, group="oversight")
        )
        for name in DASHBOARD_MODULES:  # a fixed list, not discovery: each registers its metrics
            import_module(f"reports.dashboards.{name}")
        nav_register(
            NavItem(
                "Approvals queue", "reports:approvals", "common.use_supervision", order=42, group="oversight"
            )
        )
        nav_register(
            NavItem(
                "Quality review", "reports:quality", "common.use_supervision", order=43, group="oversight"
            )
        )
        nav_register(NavItem("My reviews", "reports:my_reviews", None, order=90, group="mine"))
        post_migrate.connect(_quality_checklist, sender=self, dispatch_uid="reports.quality_checklist")
        import_module("reports.monthly")  # registers the monthly PDF's job handler
