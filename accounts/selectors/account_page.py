"""Everything the 360° account page shows, in a fixed, small number of queries."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.urls import reverse

from accounts import page_registry
from accounts.models import (
    Account,
    AccountStatus,
    Adjustment,
    AdjustmentStatus,
    Bill,
    Contact,
    EntryKind,
    Fund,
    FundKind,
    LedgerEntry,
    PolicyDecision,
)
from accounts.page_registry import Flag, TimelineItem
from accounts.selectors.aging import aging_for_account

# Each source contributes its newest rows; the page shows the newest of all of them, about a year
# of monthly activity. The full history is the ledger page.
TIMELINE_LIMIT = 24
TIMELINE_SHOWN = 30


def fund_balances(*, account_id: int) -> list[dict[str, Any]]:
    rows = (
        LedgerEntry.objects.filter(account_id=account_id)
        .values("fund_id")
        .annotate(balance=Sum("amount"))
        .order_by()
    )
    funds = {f.pk: f for f in Fund.objects.all()}  # a dozen rows, fetched once
    out = [{"fund": funds[r["fund_id"]], "balance": r["balance"]} for r in rows if r["balance"]]
    return sorted(out, key=lambda r: (r["fund"].priority, r["fund"].code))


def _own_flags(ctx: dict[str, Any]) -> list[Flag]:
    account: Account = ctx["account"]
    today: date = ctx["today"]
    flags = []
    if account.cash_only_until and account.cash_only_until >= today:
        flags.append(
            Flag(
                "cash_only",
                f"Cash only until {account.cash_only_until:%b %d, %Y}",
                "Returned payments: accept cash, money order or cashier's check only, no personal checks.",
                "danger",
            )
        )
    if account.customer.life_support:
        flags.append(
            Flag(
                "medical",
                "Life-support equipment",
                "A household member depends on powered medical equipment: extra notice and protections "
                "apply before any shutoff.",
                "danger",
            )
        )
    if account.status == AccountStatus.FINAL:
        flags.append(
            Flag(
                "final",
                "Final billed",
                "Service has stopped; the final bill closes the account.",
                "secondary",
            )
        )
    if account.status == AccountStatus.CLOSED:
        flags.append(Flag("closed", "Closed", "No service and no further bills.", "secondary"))
    deposit = next((r["balance"] for r in ctx["funds"] if r["fund"].kind == FundKind.DEPOSIT), None)
    if deposit is not None and deposit < 0:
        flags.append(
            Flag(
                "deposit",
                f"Deposit held ${-deposit:,.2f}",
                "The utility holds a security deposit; it is refunded after good payment or applied "
                "to the final bill.",
                "info",
            )
        )
    if account.balance < 0:
        flags.append(
            Flag(
                "credit",
                f"Credit balance ${-account.balance:,.2f}",
                "The customer has paid ahead; the credit settles the next charges.",
                "success",
            )
        )
    if ctx["aging"].d61_90 + ctx["aging"].d91_120 + ctx["aging"].d120_plus > 0:
        flags.append(
            Flag(
                "past_due_60",
                "Over 60 days past due",
                "Part of the balance is more than 60 days past due: collection steps may apply.",
                "warning",
            )
        )
    if ctx["pending_adjustments"]:
        flags.append(
            Flag(
                "adjustment_pending",
                "Adjustment awaiting approval",
                "A second person, never the requester, must approve an adjustment before it posts.",
                "info",
            )
        )
    return flags


def _own_timeline(ctx: dict[str, Any]) -> list[TimelineItem]:
    account_id = ctx["account"].pk
    items = [
        TimelineItem(
            b.bill_date,
            "bill",
            f"Bill {b.number}" + (" (final)" if b.is_final else ""),
            f"Due {b.due_date:%b %d, %Y}",
            b.total,
        )
        for b in Bill.objects.filter(account_id=account_id).order_by("-bill_date")[:TIMELINE_LIMIT]
    ]
    # Payments and other non-bill movements, one line per posting (same reference and date).
    moves = (
        LedgerEntry.objects.filter(account_id=account_id)
        .exclude(kind=EntryKind.CHARGE)
        .values("effective_date", "kind", "reference")
        .annotate(total=Sum("amount"))
        .order_by("-effective_date", "kind")[:TIMELINE_LIMIT]
    )
    items += [
        TimelineItem(m["effective_date"], m["kind"], EntryKind(m["kind"]).label, m["reference"], m["total"])
        for m in moves
    ]
    contacts = (
        Contact.objects.filter(account_id=account_id)
        .select_related("reason", "created_by")
        .order_by("-created_at")[:TIMELINE_LIMIT]
    )
    items += [
        TimelineItem(
            c.created_at,
            "contact",
            f"{c.get_channel_display()}: {c.reason.label}",
            f"{c.get_outcome_display()} — {c.note[:120]} ({c.created_by.get_username()})"
            + (" · ESCALATED" if c.escalated else ""),
        )
        for c in contacts
    ]
    decisions = PolicyDecision.objects.filter(account_id=account_id).order_by("-pk")[:TIMELINE_LIMIT]
    url = reverse("accounts:decisions", args=[ctx["account"].number])
    items += [
        TimelineItem(
            d.made_at,
            "decision",
            f"{d.get_kind_display()}: {d.get_outcome_display().lower()}",
            d.reason[:160] + (f" ({d.citation})" if d.citation else ""),
            d.amount,
            url,
        )
        for d in decisions
    ]
    return items


def _sort_key(item: TimelineItem) -> tuple[date, int]:
    when = item.when.date() if hasattr(item.when, "date") and callable(item.when.date) else item.when
    return (when, 1 if item.kind == "contact" else 0)


def account_page(*, number: str, today: date, user) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Raises Account.DoesNotExist for an unknown number."""
    account = Account.objects.select_related("customer", "premise", "premise__owner").get(number=number)
    account_id = account.pk
    ctx: dict[str, Any] = {
        "account": account,
        "today": today,
        "services": list(account.services.order_by("ended_on", "utility")),
        "aging": aging_for_account(account_id=account_id, as_of=today),
        "funds": fund_balances(account_id=account_id),
        "pending_adjustments": list(
            Adjustment.objects.filter(account_id=account_id, status=AdjustmentStatus.PENDING).select_related(
                "fund", "reason", "requested_by"
            )
        ),
    }
    ctx["flags"] = [f for provider in [_own_flags, *page_registry.flag_providers] for f in provider(ctx)]
    timeline = [i for provider in [_own_timeline, *page_registry.timeline_providers] for i in provider(ctx)]
    ctx["timeline"] = sorted(timeline, key=_sort_key, reverse=True)[:TIMELINE_SHOWN]
    actions = [a for provider in page_registry.action_providers for a in provider(ctx)]
    ctx["actions"] = sorted((a for a in actions if user.has_perm(a.permission)), key=lambda a: a.order)
    ctx["aging_total_past_due"] = ctx["aging"].past_due
    ctx["balance_check"] = account.balance - sum((r["balance"] for r in ctx["funds"]), Decimal(0))
    return ctx


def payment_groups(*, account_id: int, limit: int = 20) -> list[dict[str, Any]]:
    """Recent payments not yet moved, one row per posting (reference and date)."""
    return list(
        LedgerEntry.objects.filter(
            account_id=account_id, kind=EntryKind.PAYMENT, reversal_of__isnull=True, reversals__isnull=True
        )
        .values("effective_date", "reference")
        .annotate(total=Sum("amount"))
        .order_by("-effective_date")[:limit]
    )


def ledger_entries_page(*, account_id: int, before_id: int | None, limit: int = 50) -> list[LedgerEntry]:
    qs = LedgerEntry.objects.filter(account_id=account_id).select_related("fund", "created_by")
    if before_id:
        qs = qs.filter(id__lt=before_id)
    return list(qs.order_by("-id")[:limit])


def follow_ups_due(*, user, through: date) -> list[Contact]:  # type: ignore[no-untyped-def]
    return list(
        Contact.objects.filter(
            assigned_to=user,
            follow_up_on__isnull=False,
            follow_up_done_at__isnull=True,
            follow_up_on__lte=through,
        )
        .select_related("account", "account__customer", "reason")
        .order_by("follow_up_on", "id")
    )


def policy_decisions_page(*, account_id: int, kind: str = "", before_id: int | None = None, limit: int = 51):
    """Newest first, keyset-paged by id (an account may collect a late-fee decision a month for
    decades); one query."""
    qs = PolicyDecision.objects.filter(account_id=account_id).select_related("policy_version", "made_by")
    if kind:
        qs = qs.filter(kind=kind)
    if before_id is not None:
        qs = qs.filter(pk__lt=before_id)
    return list(qs.order_by("-pk")[:limit])
