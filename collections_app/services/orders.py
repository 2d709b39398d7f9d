"""Service orders in the field: dispatch to a crew, completion, cancellation, field visits
(reconnection orders are made in reconnect.py; their fee is charged here, on completion).

The engine decides twice more after the list is approved. At dispatch and again at completion a
disconnect (or low-flow) order is re-checked against the account's facts of that moment: a
payment, pledge, arrangement or medical certificate that arrived in between cancels the order
with the engine's reason; a timing gate (a holiday, a forecast) keeps it waiting for its
earliest date instead. Both services lock the accounts (in id order, as payment posting does)
before reading their facts, so a payment either committed before the re-check or waits for it.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Service, ServiceStatus
from accounts.services.ledger import accounts_lock
from collections_app.models.orders import OrderKind, OrderOutcome, OrderStatus, ServiceOrder
from collections_app.selectors.facts import facts_for_account, facts_for_accounts
from collections_app.services.reconnect_fee import _reconnect_fee_charge
from collections_app.validators import KEY_USED_ELSEWHERE
from common.audit import audit_record, audit_record_many
from common.exceptions import DomainError
from policy.selectors import current_policy
from policy_engine import engine
from policy_engine.decision import Amount, Decision, Status
from policy_engine.policy import Policy

RECHECKED = {OrderKind.DISCONNECT, OrderKind.LOW_FLOW}
CLOSED = {OrderStatus.COMPLETED, OrderStatus.CANCELLED}
OFF_STATES = (ServiceStatus.DISCONNECTED, ServiceStatus.LOW_FLOW)
VISIT_AHEAD_DAYS = 366  # further out is a typo of the year, and the board would carry it for years


@dataclass
class DispatchResult:
    dispatched: list[ServiceOrder] = field(default_factory=list)
    cancelled: list[ServiceOrder] = field(default_factory=list)
    waiting: list[ServiceOrder] = field(default_factory=list)  # not allowed today: rescheduled
    skipped: list[ServiceOrder] = field(default_factory=list)  # not open (already dispatched, closed)


@dataclass(frozen=True)
class Completion:
    order: ServiceOrder
    result: str  # completed, cancelled, not_today, no_access, replay
    reason: str = ""
    citation: str = ""
    not_before: date | None = None
    fee: Amount | None = None  # a completed reconnection: the fee charged, with its rule


def _stop_reason(decision: Decision, when: str) -> tuple[str, str, str]:
    deciding = decision.deciding
    reason = deciding.reason if deciding else "The account no longer qualifies."
    return (
        f"Cancelled at {when}: {reason}",
        deciding.code if deciding else decision.status,
        deciding.citation if deciding else "",
    )


def _recheck(policy: Policy, orders: list[ServiceOrder], as_of: date) -> dict[int, Decision]:
    ids = {o.account_id for o in orders if o.kind in RECHECKED}
    facts = facts_for_accounts(ids, as_of=as_of)
    return {account_id: engine.decide(policy, f, as_of) for account_id, f in facts.items()}


def _lock(order_ids: list[int]) -> list[ServiceOrder]:
    """Accounts first (id order, like every money service), then the orders (id order)."""
    account_ids = ServiceOrder.objects.filter(pk__in=order_ids).values_list("account_id", flat=True)
    accounts_lock(account_ids)
    return list(ServiceOrder.objects.select_for_update(no_key=True).filter(pk__in=order_ids).order_by("pk"))


def _cancel(order: ServiceOrder, reason: str, code: str, actor) -> None:  # type: ignore[no-untyped-def]
    order.status, order.cancelled_reason, order.cancelled_code = OrderStatus.CANCELLED, reason, code[:40]
    order.cancelled_at, order.cancelled_by = timezone.now(), actor
    order.save(update_fields=["status", "cancelled_reason", "cancelled_code", "cancelled_at", "cancelled_by"])


@transaction.atomic(durable=True)
def order_dispatch(  # type: ignore[no-untyped-def]
    *, order_ids: list[int], crew: str, actor, today: date | None = None
) -> DispatchResult:
    """Send open orders to a crew. Disconnect and low-flow orders are decided again first."""
    crew = crew.strip()
    if not crew:
        raise DomainError("order.crew", "Name the crew the orders go to.")
    if not order_ids:
        raise DomainError("order.none", "Select at least one order to dispatch.")
    today = today or timezone.localdate()
    orders = _lock(order_ids)
    policy, version = current_policy()
    decisions = _recheck(policy, [o for o in orders if o.status == OrderStatus.OPEN], today)
    result = DispatchResult()
    now = timezone.now()
    for order in orders:
        if order.status != OrderStatus.OPEN:
            result.skipped.append(order)
            continue
        decision = decisions.get(order.account_id)
        if order.kind in RECHECKED and decision is not None and decision.status != Status.ELIGIBLE:
            if decision.status == Status.DEFERRED and decision.earliest_date:
                order.scheduled_for = decision.earliest_date
                order.save(update_fields=["scheduled_for"])
                result.waiting.append(order)
                continue
            reason, code, citation = _stop_reason(decision, "dispatch")
            _cancel(order, f"{reason} ({citation})" if citation else reason, code, actor)
            result.cancelled.append(order)
            continue
        order.status, order.crew, order.dispatched_at, order.dispatched_by = (
            OrderStatus.DISPATCHED,
            crew[:40],
            now,
            actor,
        )
        order.save(update_fields=["status", "crew", "dispatched_at", "dispatched_by"])
        result.dispatched.append(order)
    for verb, group in (
        ("service_order.dispatch", result.dispatched),
        ("service_order.cancel", result.cancelled),
        ("service_order.reschedule", result.waiting),
    ):
        audit_record_many(
            actor=actor,
            verb=verb,
            items=[
                (
                    o,
                    o.account_id,
                    {
                        "crew": crew,
                        "policy_version": version.version,
                        "reason": o.cancelled_reason,
                        "scheduled_for": o.scheduled_for.isoformat(),
                    },
                )
                for o in group
            ],
        )
    return result


def _set_service(order: ServiceOrder, status: str) -> None:
    Service.objects.filter(account_id=order.account_id, utility=order.utility, ended_on__isnull=True).update(
        status=status
    )


@transaction.atomic(durable=True)
def order_complete(  # type: ignore[no-untyped-def]
    *,
    order_id: int,
    outcome: str,
    actor,
    completed_at: datetime | None = None,
    meter_reading: str = "",
    note: str = "",
    actual_cost: Decimal | None = None,
) -> Completion:
    """Record what the crew did. A disconnect the engine no longer allows is cancelled, not
    completed; completing a disconnect turns the service off (or to low flow), a reconnect on
    and charges its fee (at the rate of `completed_at`, capped at `actual_cost` where the policy
    says so; reconnect_fee.py)."""
    if outcome not in OrderOutcome.values:
        raise DomainError("order.outcome", "Say whether the work was done or could not be done.")
    if actual_cost is not None and (not actual_cost.is_finite() or actual_cost < 0):
        raise DomainError("order.actual_cost", "The actual cost must be an amount of zero or more.")
    account_id = ServiceOrder.objects.filter(pk=order_id).values_list("account_id", flat=True).first()
    if account_id is None:
        raise DomainError("order.not_found", "No such service order.")
    (order,) = _lock([order_id])
    if order.status in CLOSED:
        return Completion(order, "replay", order.cancelled_reason)  # a retried request: nothing changes
    if order.status != OrderStatus.DISPATCHED:
        raise DomainError(
            "order.not_dispatched", "Dispatch the order to a crew before recording its completion."
        )
    now = timezone.now()
    when = completed_at or now
    if when > now + timedelta(minutes=5):
        raise DomainError("order.future", "The completion time cannot be in the future.")
    if order.dispatched_at and when < order.dispatched_at:
        raise DomainError("order.before_dispatch", "The completion time is before the order was dispatched.")
    order.meter_reading, order.completion_note = meter_reading.strip()[:20], note.strip()
    if outcome == OrderOutcome.NO_ACCESS:
        order.status, order.outcome = OrderStatus.OPEN, outcome
        order.save(update_fields=["status", "outcome", "meter_reading", "completion_note"])
        audit_record(actor=actor, verb="service_order.no_access", target=order, account_id=order.account_id)
        return Completion(order, "no_access", "Back on the board to be dispatched again.")
    day = timezone.localtime(when).date()
    if order.kind in RECHECKED:
        policy, version = current_policy()
        decision = engine.decide(policy, facts_for_account(order.account_id, as_of=day), day)
        if decision.status == Status.DEFERRED and decision.earliest_date:
            deciding = decision.deciding
            return Completion(
                order,
                "not_today",
                f"Not allowed on {day:%b %d, %Y}: {deciding.reason if deciding else ''} "
                f"Leave the service on; not before {decision.earliest_date:%b %d, %Y}.",
                deciding.citation if deciding else "",
                decision.earliest_date,
            )
        if decision.status != Status.ELIGIBLE:
            reason, code, citation = _stop_reason(decision, "completion")
            _cancel(order, f"{reason} ({citation})" if citation else reason, code, actor)
            order.save(update_fields=["meter_reading", "completion_note"])
            audit_record(
                actor=actor,
                verb="service_order.cancel",
                target=order,
                account_id=order.account_id,
                data={
                    "reason": order.cancelled_reason,
                    "policy_version": version.version,
                    "at": "completion",
                },
            )
            return Completion(order, "cancelled", order.cancelled_reason, citation)
    order.status, order.outcome, order.completed_at, order.completed_by = (
        OrderStatus.COMPLETED,
        outcome,
        when,
        actor,
    )
    order.save(
        update_fields=[
            "status",
            "outcome",
            "completed_at",
            "completed_by",
            "meter_reading",
            "completion_note",
        ]
    )
    if order.kind == OrderKind.DISCONNECT:
        _set_service(order, ServiceStatus.DISCONNECTED)
    elif order.kind == OrderKind.LOW_FLOW:
        _set_service(order, ServiceStatus.LOW_FLOW)
    fee = None
    if order.kind == OrderKind.RECONNECT:
        _set_service(order, ServiceStatus.CONNECTED)
        # The fee is for the work done: charged here, in the completion's transaction, once.
        fee = _reconnect_fee_charge(order=order, when=when, actor=actor, actual_cost=actual_cost)
    data = {"kind": order.kind, "meter_reading": order.meter_reading, "at": when.isoformat()}
    if fee is not None:
        data |= {
            "fee": str(fee.amount),
            "after_hours": order.after_hours,
            "after_hours_requested": order.after_hours_requested,
            "rule": fee.reason,
            "citation": fee.citation,
        }
        if actual_cost is not None:
            data["actual_cost"] = str(actual_cost)
    audit_record(
        actor=actor, verb="service_order.complete", target=order, account_id=order.account_id, data=data
    )
    return Completion(order, "completed", fee=fee)


@transaction.atomic(durable=True)
def order_cancel(*, order_id: int, reason: str, actor) -> ServiceOrder:  # type: ignore[no-untyped-def]
    """An officer takes an order back (wrong address, customer paid at the counter...)."""
    reason = reason.strip()
    if len(reason) < 5:
        raise DomainError("order.reason", "Say why the order is cancelled.")
    if not ServiceOrder.objects.filter(pk=order_id).exists():
        raise DomainError("order.not_found", "No such service order.")
    (order,) = _lock([order_id])
    if order.status == OrderStatus.CANCELLED:
        return order
    if order.status == OrderStatus.COMPLETED:
        raise DomainError("order.completed", "This order is completed; it can no longer be cancelled.")
    _cancel(order, reason, "OFFICER", actor)
    audit_record(
        actor=actor,
        verb="service_order.cancel",
        target=order,
        account_id=order.account_id,
        data={"reason": reason},
    )
    return order


@transaction.atomic(durable=True)
def field_visit_create(  # type: ignore[no-untyped-def]
    *, account_id: int, reason: str, scheduled_for: date, actor, idempotency_key: str
) -> ServiceOrder:
    """A trip to the premise: post a notice, reach an adult, read a meter."""
    key = f"visit:{idempotency_key}"
    account = accounts_lock([account_id])[account_id]
    if done := ServiceOrder.objects.filter(idempotency_key=key).first():
        if done.account_id != account_id:
            raise DomainError("order.key_reused", KEY_USED_ELSEWHERE)
        return done
    if not reason.strip():
        raise DomainError("order.reason", "Say what the crew is to do there.")
    if scheduled_for < timezone.localdate():
        raise DomainError("order.past", "A visit cannot be scheduled in the past.")
    if scheduled_for > timezone.localdate() + timedelta(days=VISIT_AHEAD_DAYS):
        raise DomainError("order.far", "A visit can be scheduled at most a year ahead.")
    order = ServiceOrder.objects.create(
        account=account,
        kind=OrderKind.FIELD_VISIT,
        reason=reason.strip(),
        scheduled_for=scheduled_for,
        created_by=actor,
        idempotency_key=key,
    )
    audit_record(actor=actor, verb="service_order.create", target=order, account_id=account.pk)
    return order
