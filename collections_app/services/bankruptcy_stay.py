"""What a bankruptcy filing stops at once (11 U.S.C. 362 and 366, rules.md 1.4.5): dunning and
disconnection for the pre-petition debt.

Called by `bankruptcy_record` inside its transaction, with the account locked and the case saved,
so the engine already sees the open case:

- the account's notices not yet sent are pulled from their (unsent) batches: voided, so the batch
  count, totals, PDF and mark-sent skip them, with an audit row each. A notice already sent
  stays on the account as history; a later batch plans only on post-petition arrears.
- the account's open or dispatched disconnect / low-flow orders are decided again by the engine
  and cancelled with its reason (the stay) unless it still allows them (post-petition arrears
  after the assurance deadline), exactly as dispatch and completion would.
"""

from datetime import date

from collections_app.models import BankruptcyCase, Notice
from collections_app.models.orders import OrderStatus, ServiceOrder
from collections_app.selectors.facts import facts_for_account
from collections_app.services.orders import RECHECKED, _cancel, _stop_reason
from common.audit import audit_record_many
from policy.selectors import current_policy
from policy_engine import engine
from policy_engine.decision import Status


def _pull_unsent_notices(*, case: BankruptcyCase, actor) -> list[Notice]:  # type: ignore[no-untyped-def]
    # Notice rows of an unsent batch are written only under the account lock (mark-sent locks
    # the fee accounts, building adds rows for other accounts only) and the batch row: lock the
    # notices themselves too, so a mark-sent running now either dated them first or skips them.
    notices = list(
        Notice.objects.select_for_update(no_key=True)
        .filter(account_id=case.account_id, sent_on__isnull=True, voided=False)
        .order_by("pk")
    )
    for notice in notices:
        notice.voided = True
    Notice.objects.bulk_update(notices, ["voided"])
    audit_record_many(
        actor=actor,
        verb="notice.void",
        items=[
            (
                n,
                n.account_id,
                {
                    "kind": n.kind,
                    "batch": n.batch_id,
                    "reason": f"Bankruptcy ch. {case.chapter} {case.case_number} filed "
                    f"{case.petition_date.isoformat()}: no dunning on the pre-petition debt.",
                },
            )
            for n in notices
        ],
    )
    return notices


def _cancel_disconnect_orders(*, case: BankruptcyCase, actor, today: date) -> list[ServiceOrder]:  # type: ignore[no-untyped-def]
    orders = list(
        ServiceOrder.objects.select_for_update(no_key=True)
        .filter(
            account_id=case.account_id,
            kind__in=RECHECKED,
            status__in=(OrderStatus.OPEN, OrderStatus.DISPATCHED),
        )
        .order_by("pk")
    )
    if not orders:
        return []
    policy, version = current_policy()
    decision = engine.decide(policy, facts_for_account(case.account_id, as_of=today), today)
    if decision.status == Status.ELIGIBLE:
        return []  # post-petition arrears the stay does not protect: the order stands
    reason, code, citation = _stop_reason(decision, "bankruptcy filing")
    for order in orders:
        _cancel(order, f"{reason} ({citation})" if citation else reason, code, actor)
    audit_record_many(
        actor=actor,
        verb="service_order.cancel",
        items=[
            (o, o.account_id, {"reason": o.cancelled_reason, "policy_version": version.version})
            for o in orders
        ],
    )
    return orders


def stay_apply(*, case: BankruptcyCase, actor, today: date) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Pull the unsent notices and stop the disconnect orders of a case just recorded."""
    notices = _pull_unsent_notices(case=case, actor=actor)
    orders = _cancel_disconnect_orders(case=case, actor=actor, today=today)
    return {"notices_pulled": len(notices), "orders_cancelled": len(orders)}
