"""Reconnection: when a disconnected (or low-flow) account qualifies again (paid, an
arrangement made, a medical certificate or pledge on record), a reconnect order is created with
the reconnection fee per policy, charged in the same transaction. A payment triggers it at once
(payments hook, inside the posting transaction, the account already locked by it); a sweep every
15 minutes catches what arrives without a payment."""

from dataclasses import replace
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Account, EntryKind, Service
from accounts.services.ledger import accounts_lock
from collections_app.models.orders import OrderKind, OrderStatus, ServiceOrder
from collections_app.policy import amounts, engine
from collections_app.policy.decision import Status
from collections_app.policy.facts import AccountFacts
from collections_app.policy.params import PolicyError
from collections_app.policy.policy import Policy
from collections_app.selectors.facts import facts_for_account
from collections_app.selectors.policy import current_policy
from collections_app.services.charges import _charge
from collections_app.services.orders import OFF_STATES, RECHECKED
from common.audit import audit_record


def _after_hours(policy: Policy, now: datetime) -> bool:
    local = timezone.localtime(now)
    if not policy.calendar.is_business_day(local.date()):
        return True
    try:
        cutoff = policy.param("reconnect.after_hours_from")
    except PolicyError:
        cutoff = settings.RECONNECT_AFTER_HOURS_FROM
    return local.time() >= time.fromisoformat(cutoff)


# Protections that, once the service is off, entitle the household to have it back.
RECONNECT_PROTECTIONS = {
    "MEDICAL_CERTIFICATE",
    "PLEDGE_PENDING",
    "ARRANGEMENT_GOOD_STANDING",
    "MIN_ARREARS",
    "BANKRUPTCY_PRE_PETITION",
    "BANKRUPTCY_ASSURANCE_WINDOW",
}


def reconnect_reason(policy: Policy, facts: AccountFacts, as_of: date) -> str | None:
    """Why a disconnected account may have its service back, or None. Paid (nothing past due, or
    less than the policy's minimum for a disconnection), an active arrangement, or a protection
    the engine would now hold a disconnection for (medical certificate, pledge, bankruptcy)."""
    if any(a.status == "active" for a in facts.arrangements):
        return "A payment arrangement is active."
    dq = engine.delinquency(policy, facts, as_of)
    minimum = policy.param("protections.min_arrears_for_disconnect")
    if facts.balance <= 0 or dq.past_due <= 0:
        return "Nothing is past due."
    if dq.past_due < minimum:
        return (
            f"The past-due balance ${dq.past_due:,.2f} is below the ${minimum:,.2f} minimum for a "
            "disconnection."
        )
    decision = engine.decide(policy, replace(facts, service_state="connected"), as_of)
    deciding = decision.deciding
    if decision.status == Status.NOT_DELINQUENT:
        return "Nothing is past due."
    if decision.status == Status.BLOCKED and deciding and deciding.code in RECONNECT_PROTECTIONS:
        return deciding.reason
    return None


def _reconnect_create(  # type: ignore[no-untyped-def]
    *, account: Account, actor, now: datetime, cause: str, payment=None
) -> ServiceOrder | None:
    """On a locked account: one reconnect order per disconnection, with its fee charged."""
    service = (
        Service.objects.filter(account=account, ended_on__isnull=True, status__in=OFF_STATES)
        .order_by("id")
        .first()
    )
    if service is None:
        return None
    if ServiceOrder.objects.filter(
        account=account, kind=OrderKind.RECONNECT, status__in=[OrderStatus.OPEN, OrderStatus.DISPATCHED]
    ).exists():
        return None
    today = timezone.localtime(now).date()
    policy, _version = current_policy()
    facts = facts_for_account(account.pk, as_of=today)
    why = reconnect_reason(policy, facts, today)
    if why is None:
        return None
    last_off = (
        ServiceOrder.objects.filter(
            account=account, kind__in=list(RECHECKED), status=OrderStatus.COMPLETED, utility=service.utility
        )
        .order_by("-completed_at")
        .values_list("pk", flat=True)
        .first()
    )
    key = f"reconnect:{last_off}" if last_off else f"reconnect:{account.pk}:{service.pk}:{today.isoformat()}"
    if ServiceOrder.objects.filter(idempotency_key=key).exists():
        return None
    after_hours = _after_hours(policy, now)
    fee = amounts.reconnect_fee(policy, facts, after_hours=after_hours, on=today)
    order = ServiceOrder.objects.create(
        account=account,
        kind=OrderKind.RECONNECT,
        utility=service.utility,
        reason=f"{cause}: {why}",
        scheduled_for=today,
        after_hours=after_hours,
        fee_amount=fee.amount,
        payment=payment,
        created_by=actor,
        idempotency_key=key,
    )
    _charge(
        account=account,
        kind=EntryKind.FEE,
        amount=fee.amount,
        on=today,
        reference=f"Reconnection #{order.pk}",
        idempotency_key=f"reconnect-fee:{order.pk}",
        actor=actor,
    )
    audit_record(
        actor=actor,
        verb="service_order.create",
        target=order,
        account_id=account.pk,
        data={"kind": "reconnect", "fee": str(fee.amount), "after_hours": after_hours, "why": why},
    )
    return order


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
    few such accounts; each is then locked and decided on its own."""
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
