from typing import Any

from django.apps import AppConfig


def _reconnect_on_payment(**kwargs: Any) -> None:
    """A payment that qualifies a disconnected account orders its reconnection (lazy import: the
    engine loads on the first payment, not at startup)."""
    from collections_app.services.reconnect import on_payment_posted

    on_payment_posted(**kwargs)


def _reconnect_on_payments(**kwargs: Any) -> None:
    """The same for a bulk posting's round, set-based (a lockbox file)."""
    from collections_app.services.reconnect import on_payments_posted_many

    on_payments_posted_many(**kwargs)


def _reconnect_accounts(account_ids: list[int]) -> Any:
    """Of these accounts, those the reconnection hook may act on (a service off): the postings'
    hook filter, a query of account ids, not run here."""
    from accounts.models import Service
    from collections_app.services.orders import OFF_STATES

    return Service.objects.filter(
        account_id__in=account_ids, ended_on__isnull=True, status__in=OFF_STATES
    ).values_list("account_id", flat=True)


def _counter_preview_notes(**kwargs: Any) -> Any:
    """The counter's preview: a disconnected account's status and the reconnection to come."""
    from collections_app.selectors.counter_notes import preview_counter_notes

    return preview_counter_notes(**kwargs)


def _account_facts(account_id: int, *, as_of: Any) -> Any:
    """The engine's facts for counseling and the counter (policy.facts): the evaluate API's own."""
    from collections_app.selectors.facts import facts_for_account

    return facts_for_account(account_id, as_of=as_of)


def _counter_receipt_notes(**kwargs: Any) -> Any:
    from collections_app.selectors.counter_notes import receipt_counter_notes

    return receipt_counter_notes(**kwargs)


class CollectionsConfig(AppConfig):
    name = "collections_app"
    verbose_name = "Collections"

    def ready(self) -> None:
        from accounts.page_registry import register
        from collections_app.approvals import REFUNDS, SHUTOFF_LISTS, WRITE_OFFS
        from common.approvals import approval_register
        from common.navigation import NavItem, nav_register

        for kind in (WRITE_OFFS, REFUNDS, SHUTOFF_LISTS):
            approval_register(kind)

        nav_register(
            NavItem(
                "Collections",
                "collections_app:home",
                "common.use_collections",
                order=30,
                workspace=True,
                also_for=("common.use_supervision",),
            )
        )
        nav_register(
            NavItem(
                "Policy", "collections_app:policy", "policy.view_policyversion", order=60, group="reference"
            )
        )
        nav_register(
            NavItem(
                "Refunds",
                "collections_app:refunds",
                "collections_app.view_refund",
                order=43,
                group="oversight",
            )
        )
        # Account-page providers of each area register below (one line per area).
        from collections_app import (
            page,  # noqa: F401
            page_recovery,
        )

        page_recovery.register()
        from collections_app import page_refunds

        page_refunds.register()
        from collections_app import page_notices

        page_notices.register()
        from collections_app.selectors import orders as order_reads
        from collections_app.selectors import shutoff as shutoff_reads
        from payments.services.hooks import on_payment_posted

        register(flags=shutoff_reads.account_flags, timeline=order_reads.account_timeline)
        on_payment_posted(_reconnect_on_payment, accounts=_reconnect_accounts, many=_reconnect_on_payments)
        from payments.services.notes import on_payment_preview, on_payment_receipt

        on_payment_preview(_counter_preview_notes)
        on_payment_receipt(_counter_receipt_notes)
        from policy.facts import register_facts_reader

        register_facts_reader(_account_facts)
        from collections_app.services.shutoff_resume import resume_stalled_shutoff_runs
        from common.watchdog import register_stall_check

        register_stall_check("shutoff runs", resume_stalled_shutoff_runs)
        from collections_app import export_jobs, nightly_jobs, notice_jobs, remittance_jobs  # noqa: F401  (register their jobs)
