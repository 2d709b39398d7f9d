from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Cashiering"

    def ready(self) -> None:
        from common.approvals import approval_register
        from common.navigation import NavItem, nav_register
        from payments import import_jobs  # noqa: F401  (registers the payment file job)
        from payments.approvals import SIGNOFFS, VOIDS

        approval_register(SIGNOFFS)
        approval_register(VOIDS)

        nav_register(
            NavItem("Cashier counter", "payments:home", "common.use_cashiering", order=20, workspace=True)
        )
        nav_register(
            NavItem("Drawers", "payments:sessions", "payments.view_all_sessions", order=47, group="oversight")
        )
        nav_register(
            NavItem(
                "Deposits & GL", "payments:deposits", "payments.add_bankdeposit", order=48, group="oversight"
            )
        )
