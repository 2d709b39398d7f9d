"""Account-page contributions of refunds: a flag for a refund under way or a check outstanding,
timeline items, and the *Request refund* quick action on an account in credit. One query, shared
by the flag and timeline providers through the page context. `register()` runs once from
CollectionsConfig.ready()."""

from typing import Any

from django.urls import reverse


def _refunds(ctx: dict[str, Any]) -> list:  # type: ignore[type-arg]
    if "refunds" not in ctx:
        from collections_app.selectors.refunds import account_refunds

        ctx["refunds"] = account_refunds(account_id=ctx["account"].pk)
    return ctx["refunds"]


def _flags(ctx: dict[str, Any]) -> list:  # type: ignore[type-arg]
    from accounts.page_registry import Flag
    from collections_app.models.refunds import OPEN_STATUSES, RefundMethod, RefundStatus

    flags = []
    for r in _refunds(ctx):
        if r.status in OPEN_STATUSES:
            flags.append(
                Flag(
                    "refund_open",
                    f"Refund of ${r.amount:,.2f} {r.get_status_display().lower()}",
                    "Part of the credit is being refunded: it leaves the account when the refund is issued "
                    "(Collections → Refunds).",
                    "info",
                )
            )
        elif r.status == RefundStatus.ISSUED and r.method == RefundMethod.CHECK:
            flags.append(
                Flag(
                    "refund_check",
                    f"Refund check {r.check_number} for ${r.amount:,.2f} not cashed yet",
                    "If it is never cashed, the money returns to the account as a credit after the policy's "
                    "unclaimed period.",
                    "secondary",
                )
            )
    return flags


def _timeline(ctx: dict[str, Any]) -> list:  # type: ignore[type-arg]
    from accounts.page_registry import TimelineItem

    return [
        TimelineItem(
            r.requested_at,
            "refund",
            f"Refund requested ({r.get_method_display().lower()})",
            r.get_status_display() + (f" · check {r.check_number}" if r.check_number else ""),
            r.amount,
        )
        for r in _refunds(ctx)
    ]


def _actions(ctx: dict[str, Any]) -> list:  # type: ignore[type-arg]
    from accounts.page_registry import QuickAction

    if ctx["account"].balance >= 0:
        return []
    return [
        QuickAction(
            "Request refund",
            reverse("collections_app:refund_new", args=[ctx["account"].number]),
            "collections_app.request_refund",
            64,
        )
    ]


def register() -> None:
    from accounts import page_registry

    page_registry.register(flags=_flags, timeline=_timeline, actions=_actions)
