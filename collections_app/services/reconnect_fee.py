"""The reconnection fee: quoted when a reconnect order is made, charged when the crew completes it.

Nothing is charged when the order is made (a payment at the counter or the 15-minute sweep): the
fee is for work done, at the rate of the moment it is done, and only a completed order is work
done (a cancelled or no-access order charges nothing). The after-hours rate applies only when the
customer asked for after-hours (same-day) service and the crew actually did it after hours;
otherwise the normal rate, whatever time the order was made. The policy's caps (SB 998 low-income
caps...) come from `amounts.reconnect_fee` on the account's facts of the completion day.

On an account with an active arrangement the fee is due with the plan's next open installment,
not the day it is charged: a fee due today is past due tomorrow, and the engine counts unpaid
charges made since the plan as non-compliance (HSC 116910, "fails to pay current charges"), so a
fee due at once would put the household outside its plan the morning after its water came back.
"""

from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone

from accounts.models import DecisionKind, EntryKind
from accounts.services.decisions import decision_from_amount
from accounts.services.ledger import already_posted
from collections_app.models.orders import ServiceOrder
from collections_app.selectors.facts import facts_for_account
from collections_app.services.charges import _charge
from counseling.models import Installment
from policy.selectors import current_policy
from policy_engine import amounts
from policy_engine.core import fmt_money
from policy_engine.decision import Amount
from policy_engine.facts import AccountFacts
from policy_engine.policy import Policy


def is_after_hours(policy: Policy, when: datetime) -> bool:
    """Outside the utility's working hours: a closed day, or from the policy's cut-off time."""
    local = timezone.localtime(when)
    if not policy.calendar.is_business_day(local.date()):
        return True
    return local.time() >= time.fromisoformat(policy.param("reconnect.after_hours_from"))


def fee_key(order_id: int) -> str:
    # The key orders made before the fee moved to completion were charged under: an order
    # already charged at creation is never charged again when it completes.
    return f"reconnect-fee:{order_id}"


def fee_quote(policy: Policy, facts: AccountFacts, on: date) -> str:
    """What the customer is told when the reconnection is ordered (counter, receipt, order page)."""
    normal = amounts.reconnect_fee(policy, facts, after_hours=False, on=on)
    late = amounts.reconnect_fee(policy, facts, after_hours=True, on=on)
    if normal.amount == 0 and late.amount == 0:
        return f"No reconnection fee: {normal.reason} ({normal.citation})"
    return (
        f"{fmt_money(normal.amount)} charged when the crew restores service during normal hours; "
        f"{fmt_money(late.amount)} only if the customer asks for after-hours service. "
        f"Rule: {normal.reason} ({normal.citation})"
    )


def _due_date(account_id: int, day: date) -> date:
    nxt = (
        Installment.objects.filter(
            arrangement__account_id=account_id,
            arrangement__status="active",
            status="open",
            due_date__gt=day,
        )
        .order_by("due_date")
        .values_list("due_date", flat=True)
        .first()
    )
    return nxt or day


def _reconnect_fee_charge(  # type: ignore[no-untyped-def]
    *, order: ServiceOrder, when: datetime, actor, actual_cost: Decimal | None = None
) -> Amount | None:
    """Inside the completion transaction, the account locked by it. None on a replay (the fee of
    this order is already on the ledger); otherwise the fee charged (it may be $0). `actual_cost`:
    what the reconnection cost, if the crew reports it (SB 998 caps the fee at it)."""
    key = fee_key(order.pk)
    if already_posted(key):
        return None
    day = timezone.localtime(when).date()
    policy, version = current_policy()
    after_hours = order.after_hours_requested and is_after_hours(policy, when)
    fee = amounts.reconnect_fee(
        policy,
        facts_for_account(order.account_id, as_of=day),
        after_hours=after_hours,
        on=day,
        actual_cost=actual_cost,
    )
    due = _due_date(order.account_id, day)
    reason = fee.reason
    if due != day:
        reason += f" Due {due:%b %d, %Y} with the arrangement's next installment."
    _charge(
        account=order.account,
        kind=EntryKind.FEE,
        amount=fee.amount,
        on=day,
        due=due,
        reference=f"Reconnection #{order.pk}",
        idempotency_key=key,
        actor=actor,
    )
    order.after_hours, order.fee_amount = after_hours, fee.amount
    order.fee_reason, order.fee_citation = f"{reason} (policy v{version.version})", fee.citation[:200]
    order.save(update_fields=["after_hours", "fee_amount", "fee_reason", "fee_citation"])
    charged = Amount(fee.code, fee.amount, reason, fee.citation)
    decision_from_amount(
        charged, account_id=order.account_id, kind=DecisionKind.RECONNECT_FEE, as_of=day,
        policy_version_id=version.pk, subject=f"order:{order.pk}", actor=actor,
    )  # fmt: skip
    return charged
