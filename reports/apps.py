from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Supervisor reports"

    def ready(self) -> None:
        from common.navigation import NavItem, nav_register
        from reports.approvals import waiting_count

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
        nav_register(NavItem("Approvals queue", "reports:approvals", "common.use_supervision", order=41))
