"""What the cashier and the customer are told at the counter about a disconnected account
(registered with payments.services.notes in CollectionsConfig.ready()).

Preview, before posting: the service is off (since when), whether this payment would order the
reconnection (the same question the posting hook asks, on the facts as they would be after the
payment), and the fee that will follow when the crew restores service. Receipt: the service was
off, the reconnection this payment ordered and its fee. Both are batched: a fixed number of
queries whatever the number of accounts, and none at all for accounts whose service is on beyond
the one that finds the disconnected services."""

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import Service, ServiceStatus
from collections_app.models.orders import OrderKind, OrderStatus, ServiceOrder
from collections_app.selectors.facts import facts_for_accounts
from collections_app.selectors.reconnect import facts_after_payment, reconnect_reason
from collections_app.services.orders import OFF_STATES, RECHECKED
from collections_app.services.reconnect_fee import fee_quote
from payments.services.notes import CounterNote
from policy.selectors import current_policy
from policy_engine import engine
from policy_engine.core import fmt_money

LIVE = (OrderStatus.OPEN, OrderStatus.DISPATCHED)


def _off_services(account_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    off: dict[int, list[tuple[str, str]]] = defaultdict(list)
    rows = (
        Service.objects.filter(account_id__in=account_ids, ended_on__isnull=True, status__in=OFF_STATES)
        .order_by("account_id", "id")
        .values_list("account_id", "utility", "status")
    )
    for account_id, utility, status in rows:
        off[account_id].append((utility, status))
    return off


def _off_since(account_ids: list[int], before: datetime | None = None) -> dict[tuple[int, str], datetime]:
    """When each service was last turned off by a crew (the latest completed disconnect or
    low-flow order). Services turned off outside the order board have no date on record."""
    qs = ServiceOrder.objects.filter(
        account_id__in=account_ids, kind__in=list(RECHECKED), status=OrderStatus.COMPLETED
    )
    if before is not None:
        qs = qs.filter(completed_at__lte=before)
    rows = (
        qs.order_by("account_id", "utility", "-completed_at")
        .distinct("account_id", "utility")
        .values_list("account_id", "utility", "completed_at")
    )
    return {(a, u): at for a, u, at in rows}


def _service_off_note(account_id: int, services, since, *, was: bool = False) -> CounterNote:  # type: ignore[no-untyped-def]
    parts = []
    for utility, status in services:
        state = "disconnected" if status == ServiceStatus.DISCONNECTED else "on a low-flow device"
        when = since.get((account_id, utility))
        dated = f"since {timezone.localtime(when):%b %d, %Y}" if when else "since a date not on record"
        parts.append(f"{utility} {state} {dated}")
    off = any(status == ServiceStatus.DISCONNECTED for _, status in services)
    verb = "was" if was else "is"
    title = f"Service {verb} OFF" if off else f"Service {verb} restricted (low flow)"
    return CounterNote("service_off", "danger", f"{title} ({'; '.join(parts)})", "")


def preview_counter_notes(*, lines: list[tuple[int, Decimal]], as_of: date) -> dict[int, list[CounterNote]]:
    paying: dict[int, Decimal] = defaultdict(Decimal)
    for account_id, amount in lines:
        paying[account_id] += amount
    off = _off_services(list(paying))
    if not off:
        return {}
    ids = sorted(off)
    since = _off_since(ids)
    live = {
        account_id: (pk, quote)
        for account_id, pk, quote in ServiceOrder.objects.filter(
            account_id__in=ids, kind=OrderKind.RECONNECT, status__in=LIVE
        ).values_list("account_id", "pk", "fee_quote")
    }
    policy, _ = current_policy()
    facts = facts_for_accounts(ids, as_of=as_of)
    out: dict[int, list[CounterNote]] = {}
    for account_id in ids:
        notes = [_service_off_note(account_id, off[account_id], since)]
        if account_id in live:
            pk, quote = live[account_id]
            notes.append(
                CounterNote("reconnect_open", "info", f"A reconnection is already ordered (#{pk})", quote)
            )
        elif account_id in facts:
            after = facts_after_payment(facts[account_id], paying[account_id], as_of)
            why = reconnect_reason(policy, after, as_of)
            if why:
                notes.append(
                    CounterNote(
                        "reconnect_ordered",
                        "warning",
                        "This payment orders a reconnection — a reconnection fee will follow",
                        f"After this payment: {why} Fee: {fee_quote(policy, after, as_of)}",
                    )
                )
            else:
                left = engine.delinquency(policy, after, as_of).past_due
                notes.append(
                    CounterNote(
                        "reconnect_not_ordered",
                        "danger",
                        "This payment does not restore service",
                        f"{fmt_money(left)} would still be past due. Service is restored once nothing "
                        "is past due, or with an arrangement, an agency pledge or a medical certificate.",
                    )
                )
        out[account_id] = notes
    return out


def receipt_counter_notes(*, payments: list, at: datetime) -> dict[int, list[CounterNote]]:  # type: ignore[type-arg]
    by_payment = {p.pk: p for p in payments}
    orders = list(
        ServiceOrder.objects.filter(payment_id__in=list(by_payment), kind=OrderKind.RECONNECT).values_list(
            "payment_id", "pk", "account_id", "utility", "fee_quote", "status", "fee_amount", "completed_at"
        )
    )
    ordered = {row[0] for row in orders}
    # A payment that ordered nothing on an account still off: said on the day only (a reprint
    # months later cannot know the service was off then).
    today = timezone.localtime(at).date() == timezone.localdate()
    rest = [p.account_id for p in payments if p.pk not in ordered] if today else []
    off = _off_services(rest) if rest else {}
    accounts = {row[2] for row in orders} | set(off)
    if not accounts:
        return {}
    since = _off_since(sorted(accounts), before=at)
    out: dict[int, list[CounterNote]] = {}
    for payment_id, pk, account_id, utility, quote, status, fee, completed_at in orders:
        text = quote
        if status == OrderStatus.COMPLETED and completed_at:
            text = f"Reconnected {timezone.localtime(completed_at):%b %d, %Y}: fee {fmt_money(fee)} charged."
        elif status == OrderStatus.CANCELLED:
            text = "The reconnection order was cancelled."
        out[payment_id] = [
            _service_off_note(account_id, [(utility, ServiceStatus.DISCONNECTED)], since, was=True),
            CounterNote(
                "reconnect_ordered",
                "warning",
                f"Reconnection ordered (#{pk}); the reconnection fee is charged when it is done",
                text,
            ),
        ]
    for payment in payments:
        if payment.account_id in off and payment.pk not in ordered:
            out[payment.pk] = [
                _service_off_note(payment.account_id, off[payment.account_id], since),
                CounterNote(
                    "reconnect_not_ordered",
                    "danger",
                    "This payment did not order a reconnection",
                    "Something is still past due: see the account's shutoff decision.",
                ),
            ]
    return out
