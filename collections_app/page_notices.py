"""Account-page contributions of notices and deposits (a flag for a deposit being billed, held or
owed back by check; notices sent on the timeline; quick actions), and the payments hooks that
move money paid into the DEP fund into the held deposit. `register()` is called once from
CollectionsConfig.ready()."""

from typing import Any

from django.urls import reverse

from common.formatting import format_money


def _deposit_paid(**kwargs: Any) -> None:
    """Lazy import: the engine loads on the first payment, not at startup."""
    from collections_app.services.deposits import on_payment_posted

    on_payment_posted(**kwargs)


def _deposit_accounts(account_ids: list[int]) -> Any:
    """Of these accounts, those with a deposit being billed or held (the postings' hook filter: a
    query of account ids, not run here)."""
    from collections_app.models import SecurityDeposit
    from collections_app.services.deposits import OPEN

    return SecurityDeposit.objects.filter(account_id__in=account_ids, status__in=OPEN).values_list(
        "account_id", flat=True
    )


def _deposit_returned(**kwargs: Any) -> None:
    from collections_app.services.deposits import on_payment_returned

    on_payment_returned(**kwargs)


def _deposit_voided(**kwargs: Any) -> None:
    from collections_app.services.deposits import on_payment_voided

    on_payment_voided(**kwargs)


def _flags(ctx: dict[str, Any]) -> list:  # type: ignore[type-arg]
    from accounts.page_registry import Flag
    from collections_app.selectors.deposits import account_deposit_flag

    deposit = account_deposit_flag(account_id=ctx["account"].pk)  # one query
    if deposit is None:
        return []
    if deposit.status == "billing":
        return [
            Flag(
                "deposit_due",
                f"Deposit due: {format_money(deposit.held_amount)} of "
                f"{format_money(deposit.required_amount)} paid",
                "A security deposit is being billed in installments with the bills; what is paid "
                "into it is held and refunded after good payment.",
                "warning",
            )
        ]
    if deposit.status == "held":
        review = f"; refund review {deposit.review_on:%b %d, %Y}" if deposit.review_on else ""
        return [
            Flag(
                "deposit_held",
                f"Deposit held {format_money(deposit.held_amount)}{review}",
                "The utility holds a security deposit with interest; it is refunded after the "
                "policy's months of good payment or applied to the final bill.",
                "info",
            )
        ]
    return [
        Flag(
            "deposit_check",
            f"Deposit refund check due: {format_money(deposit.refunded_amount)}",
            "The deposit was refunded by check: accounts payable still has to cut it.",
            "info",
        )
    ]


def _timeline(ctx: dict[str, Any]) -> list:  # type: ignore[type-arg]
    from accounts.page_registry import TimelineItem
    from collections_app.selectors.notices import account_notices_sent

    items = []
    for n in account_notices_sent(account_id=ctx["account"].pk):  # one query
        detail = f"to {n.addressee}"
        if n.earliest_action:
            detail += f" · disconnection not before {n.earliest_action:%b %d, %Y}"
        items.append(
            TimelineItem(
                n.sent_on,
                "notice",
                f"{n.get_kind_display()} sent ({n.get_method_display().lower()})",
                detail,
                n.amount_due,
                url=reverse("collections_app:notice_pdf", args=[n.pk]),
            )
        )
    return items


def _actions(ctx: dict[str, Any]) -> list:  # type: ignore[type-arg]
    from accounts.page_registry import QuickAction

    n = ctx["account"].number
    return [
        QuickAction(
            "Notices", reverse("collections_app:account_notices", args=[n]), "collections_app.view_notice", 33
        ),
        QuickAction(
            "Deposit",
            reverse("collections_app:account_deposit", args=[n]),
            "collections_app.view_securitydeposit",
            34,
        ),
    ]


def register() -> None:
    from accounts import page_registry
    from payments.services.hooks import on_payment_posted, on_payment_returned, on_payment_voided

    page_registry.register(flags=_flags, timeline=_timeline, actions=_actions)
    on_payment_posted(_deposit_paid, accounts=_deposit_accounts)
    on_payment_returned(_deposit_returned)
    on_payment_voided(_deposit_voided)
