"""Reconnection: when a disconnected (or low-flow) account qualifies again (paid, an
arrangement made, a medical certificate or pledge on record), a reconnect order is created. A
payment triggers it at once (payments hook, inside the posting transaction, the account already
locked by it); a sweep every 15 minutes catches what arrives without a payment.

Making the order charges nothing: the fee is quoted on the order (the counter and the receipt
show it) and charged when the crew completes it (reconnect_fee.py, from order_complete). Staff
record a customer's request for after-hours service on the order."""

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Account, Service
from accounts.services.ledger import accounts_lock
from collections_app.models.orders import OrderKind, OrderStatus, ServiceOrder
from collections_app.selectors.facts import facts_for_accounts
from collections_app.selectors.reconnect import RECONNECT_PROTECTIONS, reconnect_reason
from collections_app.services.orders import OFF_STATES, RECHECKED, _lock
from collections_app.services.reconnect_fee import fee_quote
from common.audit import audit_record, audit_record_many
from common.exceptions import DomainError
from policy.selectors import current_policy

__all__ = [
    "RECONNECT_PROTECTIONS",
    "on_payment_posted",
    "on_payments_posted_many",
    "reconnect_after_hours_request",
    "reconnect_reason",
    "reconnect_sweep",
]


def _reconnect_create(  # type: ignore[no-untyped-def]
    *, account: Account, actor, now: datetime, cause: str, payment=None
) -> ServiceOrder | None:
    """On a locked account: one reconnect order per disconnection, its fee quoted, not charged."""
    made = _reconnect_orders([(account.pk, cause, payment)], actor=actor, now=now)
    return made[0] if made else None


def _reconnect_orders(  # type: ignore[no-untyped-def]
    wanted: list[tuple[int, str, object]], *, actor, now: datetime
) -> list[ServiceOrder]:
    """Reconnect orders for these locked accounts (each at most once: (account id, cause,
    payment or None)) that qualify. A fixed number of statements whatever their number, so a
    lockbox file's thousands of payments on disconnected accounts cost what one does; the
    engine decides each account exactly as for a single payment."""
    ids = [account_id for account_id, _, _ in wanted]
    service_of: dict[int, Service] = {}
    for service in Service.objects.filter(
        account_id__in=ids, ended_on__isnull=True, status__in=OFF_STATES
    ).order_by("account_id", "id"):
        service_of.setdefault(service.account_id, service)
    ordered = set(
        ServiceOrder.objects.filter(
            account_id__in=list(service_of),
            kind=OrderKind.RECONNECT,
            status__in=[OrderStatus.OPEN, OrderStatus.DISPATCHED],
        ).values_list("account_id", flat=True)
    )
    todo = [w for w in wanted if w[0] in service_of and w[0] not in ordered]
    if not todo:
        return []
    today = timezone.localtime(now).date()
    policy, _version = current_policy()
    facts = facts_for_accounts([account_id for account_id, _, _ in todo], as_of=today)
    why_of = {a: why for a, _, _ in todo if (why := reconnect_reason(policy, facts[a], today)) is not None}
    last_off: dict[tuple[int, int], int] = {}
    for account_id, utility, pk in (
        ServiceOrder.objects.filter(
            account_id__in=list(why_of), kind__in=list(RECHECKED), status=OrderStatus.COMPLETED
        )
        .order_by("account_id", "utility", "-completed_at")
        .values_list("account_id", "utility", "pk")
    ):
        last_off.setdefault((account_id, utility), pk)
    key_of = {}
    for account_id in why_of:
        service = service_of[account_id]
        off = last_off.get((account_id, service.utility))
        key_of[account_id] = (
            f"reconnect:{off}" if off else f"reconnect:{account_id}:{service.pk}:{today.isoformat()}"
        )
    used = set(
        ServiceOrder.objects.filter(idempotency_key__in=list(key_of.values())).values_list(
            "idempotency_key", flat=True
        )
    )
    orders = ServiceOrder.objects.bulk_create(
        [
            ServiceOrder(
                account_id=account_id,
                kind=OrderKind.RECONNECT,
                utility=service_of[account_id].utility,
                reason=f"{cause}: {why_of[account_id]}",
                scheduled_for=today,
                fee_quote=fee_quote(policy, facts[account_id], today),
                payment=payment,
                created_by=actor,
                idempotency_key=key_of[account_id],
            )
            for account_id, cause, payment in todo
            if account_id in why_of and key_of[account_id] not in used
        ]
    )
    audit_record_many(
        actor=actor,
        verb="service_order.create",
        items=[
            (
                order,
                order.account_id,
                {"kind": "reconnect", "why": why_of[order.account_id], "fee_quote": order.fee_quote},
            )
            for order in orders
        ],
    )
    return orders


def on_payment_posted(*, payment) -> None:  # type: ignore[no-untyped-def]
    """payments hook, inside the posting transaction with the account locked. One cheap query for
    the usual account (service on); the engine runs only for a disconnected one."""
    if not Service.objects.filter(
        account_id=payment.account_id, ended_on__isnull=True, status__in=OFF_STATES
    ).exists():
        return
    _reconnect_create(
        account=payment.account,
        actor=payment.transaction.created_by,
        now=timezone.now(),
        cause=f"Payment {payment.transaction.receipt_number}",
        payment=payment,
    )


def on_payments_posted_many(*, payments) -> None:  # type: ignore[no-untyped-def]
    """The same hook for a bulk posting's round (payments on distinct locked accounts, one poster)."""
    if payments:
        _reconnect_orders(
            [(p.account_id, f"Payment {p.transaction.receipt_number}", p) for p in payments],
            actor=payments[0].transaction.created_by,
            now=timezone.now(),
        )


RECONNECT_SWEEP_SQL = """
SELECT DISTINCT a.id FROM accounts_account a
JOIN accounts_service s
  ON s.account_id = a.id AND s.ended_on IS NULL AND s.status IN ('disconnected', 'low_flow')
WHERE a.status = 'active'
  AND NOT EXISTS (SELECT 1 FROM collections_app_serviceorder o WHERE o.account_id = a.id
                  AND o.kind = 'reconnect' AND o.status IN ('open', 'dispatched'))
  AND (a.balance < %(min_arrears)s OR a.balance <= 0
       OR EXISTS (SELECT 1 FROM counseling_arrangement r WHERE r.account_id = a.id AND r.status = 'active')
       OR EXISTS (SELECT 1 FROM counseling_pledge p WHERE p.account_id = a.id AND p.status = 'pending')
       OR EXISTS (SELECT 1 FROM collections_app_medicalcertificate m WHERE m.account_id = a.id
                  AND m.received_on >= %(medical_since)s)
       OR EXISTS (SELECT 1 FROM collections_app_bankruptcycase b
                  WHERE b.account_id = a.id AND b.status = 'open'))
ORDER BY a.id
"""


def reconnect_sweep(*, now: datetime | None = None) -> int:
    """Reconnect orders for disconnected accounts that qualify by something other than a payment
    (an arrangement, a pledge, a medical certificate). One SQL statement narrows the city to the
    few such accounts; each is then locked and decided on its own. It only orders: the fee is
    charged by the crew's completion, never here."""
    now = now or timezone.now()
    policy, _ = current_policy()
    with connection.cursor() as cursor:
        cursor.execute(
            RECONNECT_SWEEP_SQL,
            {
                "min_arrears": policy.param("protections.min_arrears_for_disconnect"),
                "medical_since": timezone.localtime(now).date() - timedelta(days=366),
            },
        )
        ids = [row[0] for row in cursor.fetchall()]
    made = 0
    for account_id in ids:
        with transaction.atomic(durable=True):
            account = accounts_lock([account_id])[account_id]
            if _reconnect_create(account=account, actor=None, now=now, cause="Reconnection review"):
                made += 1
    return made


@transaction.atomic(durable=True)
def reconnect_after_hours_request(*, order_id: int, requested: bool, actor) -> ServiceOrder:  # type: ignore[no-untyped-def]
    """Staff record that the customer asked for after-hours (same-day) reconnection, or withdrew
    the request. Only then may the after-hours rate be charged, and only if the crew does it after
    hours."""
    if not ServiceOrder.objects.filter(pk=order_id).exists():
        raise DomainError("order.not_found", "No such service order.")
    (order,) = _lock([order_id])
    if order.kind != OrderKind.RECONNECT:
        raise DomainError("order.not_reconnect", "Only a reconnection can be asked for after hours.")
    if order.status not in (OrderStatus.OPEN, OrderStatus.DISPATCHED):
        raise DomainError(
            "order.closed", "This reconnection is closed; its fee was settled when it was completed."
        )
    if order.after_hours_requested == requested:
        return order
    order.after_hours_requested = requested
    order.save(update_fields=["after_hours_requested"])
    audit_record(
        actor=actor,
        verb="service_order.after_hours_request",
        target=order,
        account_id=order.account_id,
        data={"requested": requested},
    )
    return order
