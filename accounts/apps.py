from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.urls import reverse


def _actions(ctx: dict[str, Any]) -> list:  # type: ignore[type-arg]
    from accounts.page_registry import QuickAction

    n = ctx["account"].number
    return [
        QuickAction("Log contact", reverse("accounts:contact", args=[n]), "accounts.add_contact", 10),
        QuickAction("Adjust", reverse("accounts:adjust", args=[n]), "accounts.add_adjustment", 20),
        QuickAction(
            "Move a payment", reverse("accounts:transfer", args=[n]), "accounts.transfer_payment", 30
        ),
        QuickAction(
            "Contact details", reverse("accounts:edit_contact", args=[n]), "accounts.change_account", 40
        ),
        QuickAction("Due day", reverse("accounts:due_day", args=[n]), "accounts.change_account", 45),
        QuickAction(
            "Start service", reverse("accounts:service", args=[n, "start"]), "accounts.change_service", 50
        ),
        QuickAction(
            "Stop service", reverse("accounts:service", args=[n, "stop"]), "accounts.change_service", 55
        ),
        QuickAction(
            "Transfer service",
            reverse("accounts:service", args=[n, "transfer"]),
            "accounts.change_service",
            60,
        ),
        QuickAction(
            "Audit trail", reverse("audit_list") + f"?account_id={ctx['account'].pk}", "common.view_audit", 90
        ),
    ]


def _reference_data(sender: Any, **kwargs: Any) -> None:
    from accounts.reference_data import reference_data_sync

    reference_data_sync()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Customer accounts"

    def ready(self) -> None:
        from accounts import import_jobs, page_registry  # noqa: F401  (import_jobs registers its job)
        from accounts.approvals import ADJUSTMENTS
        from common.approvals import approval_register
        from common.navigation import NavItem, nav_register

        approval_register(ADJUSTMENTS)

        nav_register(NavItem("Find account", "accounts:search", "accounts.view_account", order=5))
        nav_register(
            NavItem("My follow-ups", "accounts:followups", "accounts.view_account", order=6, group="mine")
        )
        nav_register(
            NavItem(
                "Approvals",
                "accounts:adjustments_pending",
                "accounts.approve_adjustment",
                order=45,
                hidden_for=("common.use_supervision",),  # the approvals queue lists them
                group="oversight",
            )
        )
        nav_register(
            NavItem(
                "Ledger checks",
                "accounts:ledger_checks",
                "accounts.view_ledgercheckrun",
                order=46,
                group="oversight",
            )
        )
        nav_register(NavItem("Bill import", "accounts:bill_import", "accounts.add_billimport", order=55))
        page_registry.register(actions=_actions)
        post_migrate.connect(_reference_data, sender=self, dispatch_uid="accounts.reference_data")
