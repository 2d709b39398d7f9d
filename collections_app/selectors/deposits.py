"""Reads for security deposits: the deposits page's lists, an account's deposit and flag."""

from django.db.models import Q

from collections_app.models import DepositStatus, SecurityDeposit
from collections_app.models.deposits import RefundMethod
from collections_app.services.deposits import OPEN

CHECK_DUE = Q(
    refund_method__in=[RefundMethod.CHECK, RefundMethod.FINAL_BILL], check_issued_on__isnull=True
) & Q(refunded_amount__gt=0)


def deposits_by_status(*, status: str, limit: int = 200) -> list[SecurityDeposit]:
    """One list of the deposits page, with the account and customer each row shows (one query)."""
    return list(
        SecurityDeposit.objects.filter(status=status)
        .select_related("account", "account__customer", "account__premise")
        .order_by("account__number", "id")[:limit]
    )


def checks_due(*, limit: int = 200) -> list[SecurityDeposit]:
    """Deposits refunded by check whose check accounts payable has not cut yet."""
    return list(
        SecurityDeposit.objects.filter(CHECK_DUE)
        .select_related("account", "account__customer")
        .order_by("closed_on", "id")[:limit]
    )


def recently_closed(*, limit: int = 50) -> list[SecurityDeposit]:
    return list(
        SecurityDeposit.objects.filter(
            status__in=[DepositStatus.REFUNDED, DepositStatus.APPLIED, DepositStatus.WAIVED]
        )
        .select_related("account", "waived_by")
        .order_by("-closed_on", "-id")[:limit]
    )


def account_deposits(*, account_id: int) -> list[SecurityDeposit]:
    return list(
        SecurityDeposit.objects.filter(account_id=account_id)
        .select_related("created_by", "waived_by")
        .prefetch_related("schedule")
        .order_by("-created_at", "-id")
    )


def account_deposit(*, account_id: int) -> SecurityDeposit | None:
    """The account's open deposit, else its latest one."""
    deposits = account_deposits(account_id=account_id)
    return next((d for d in deposits if d.status in OPEN), deposits[0] if deposits else None)


def account_deposit_flag(*, account_id: int) -> SecurityDeposit | None:
    """An open deposit, or one whose refund check is still due (one query)."""
    return (
        SecurityDeposit.objects.filter(Q(account_id=account_id) & (Q(status__in=OPEN) | CHECK_DUE))
        .order_by("-id")
        .first()
    )
