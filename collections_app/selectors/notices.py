"""Reads for notices: which accounts could need a notice of a kind today (the set-based cut the
engine then decides on), batches with their counts, an account's notices."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum

from collections_app.models import Notice, NoticeBatch, NoticeKind
from policy_engine.policy import Policy

KINDS = [k for k, _ in NoticeKind.choices]

# Accounts owing something due on or before `cutoff` (the balance is more than everything billed
# for later due dates: credits settle the oldest charges first, and only bills carry a future due
# date), active, with live service to disconnect, and no unsent notice of this kind waiting in
# another batch. Kind-specific cuts are appended.
CANDIDATES_SQL = """
WITH later AS (
    SELECT account_id, SUM(total) AS amount FROM accounts_bill
    WHERE due_date > %(cutoff)s AND bill_date <= %(as_of)s GROUP BY account_id
)
SELECT a.id
FROM accounts_account a
JOIN accounts_premise p ON p.id = a.premise_id
LEFT JOIN later ON later.account_id = a.id
WHERE a.status = 'active' AND a.balance > 0 AND a.balance - COALESCE(later.amount, 0) > 0
  AND EXISTS (SELECT 1 FROM accounts_service s WHERE s.account_id = a.id AND s.ended_on IS NULL
              AND s.status IN ('connected', 'low_flow'))
  AND NOT EXISTS (SELECT 1 FROM collections_app_notice n WHERE n.account_id = a.id AND n.kind = %(kind)s
                  AND NOT n.voided AND n.sent_on IS NULL)
  {kind_filter}
ORDER BY a.id
"""
KIND_FILTERS = {
    # a courtesy reminder follows a bill that fell due recently; older debt gets the shutoff notice
    "reminder": """AND EXISTS (SELECT 1 FROM accounts_bill b WHERE b.account_id = a.id
                   AND b.due_date BETWEEN %(as_of)s - 30 AND %(cutoff)s)""",
    # a disconnection notice sent inside the window still counts for this delinquency (see
    # `_recent_from`): the engine would plan none, so it is not asked
    "shutoff": """AND NOT EXISTS (SELECT 1 FROM collections_app_notice n WHERE n.account_id = a.id
                  AND n.kind = 'shutoff' AND NOT n.voided
                  AND n.sent_on BETWEEN %(recent_from)s AND %(as_of)s)""",
    # the final (48-hour) notice follows a disconnection notice already sent
    "final": """AND EXISTS (SELECT 1 FROM collections_app_notice n WHERE n.account_id = a.id
                AND n.kind = 'shutoff' AND NOT n.voided
                AND n.sent_on BETWEEN %(as_of)s - 120 AND %(as_of)s)""",
    # the owner is the customer of record, or one account for a building of units (selectors.facts'
    # landlord_owned or multiple_dwelling); a unit in its occupant's own name needs no occupant notice
    "occupant": """AND (p.owner_id = a.customer_id
                   OR EXISTS (SELECT 1 FROM accounts_premise u WHERE u.parent_id = p.id))""",
    "posted": "",
}


def _cutoff_days(policy: Policy, kind: str) -> int:
    """A lower bound, across rule sets, on how long after its due date the oldest unpaid bill is
    when a `kind` notice falls due (planning.py sends the shutoff notice no earlier than the
    latest "not before" date and the earliest waiting-period target), so the engine never misses
    an account the cut drops."""
    layers = (*policy.layers, policy.fallback)
    if kind == "reminder":
        return min(layer.p("notices.reminder_after_due_days") for layer in layers)
    if kind != "shutoff":
        return 1
    floors, waits = [], []
    for layer in layers:
        lead = layer.p("notices.pre_disconnect_lead")
        # a business-day lead spans at most twice as many calendar days, holidays included
        lead_days = lead["value"] * 2 + 4 if lead["unit"] == "BUSINESS_DAYS" else lead["value"]
        lead_days += layer.p("notices.mailing_lag_days") + 7  # a week's slack for blackout and rolls
        if layer.p("delinquency.clock_start") == "BILL_DATE":
            lead_days += 31  # the clock starts at the bill date, up to a month before the due date
        waits.append(layer.p("delinquency.min_days_before_disconnect") - lead_days)
        floors.append(layer.p("notices.earliest_after_due_days"))
    return max(min(floors), min(waits), 1)


def _recent_from(policy: Policy, as_of: date, cutoff_days: int) -> date:
    """Candidates owe something due at least `cutoff_days` ago, so a disconnection notice sent on
    or after as_of - cutoff_days + (the latest "not before" any rule set has) was sent after the
    oldest unpaid bill could be noticed: it counts, while still valid. An empty window (from
    after as_of) when the rules leave no room."""
    layers = (*policy.layers, policy.fallback)
    floor = max(layer.p("notices.earliest_after_due_days") for layer in layers)
    start = as_of - timedelta(days=cutoff_days - floor)
    validity = [v for layer in layers if (v := layer.p("notices.validity_days")) is not None]
    if validity:
        start = max(start, as_of - timedelta(days=min(validity) - 1))
    return start if cutoff_days > floor else as_of + timedelta(days=1)


def notice_candidates(*, policy: Policy, kind: str, as_of: date) -> list[int]:
    """Account ids that could need a `kind` notice on `as_of`, in id order (one statement)."""
    days = max(_cutoff_days(policy, kind), 1)
    params = {
        "as_of": as_of,
        "cutoff": as_of - timedelta(days=days),
        "kind": kind,
        "recent_from": _recent_from(policy, as_of, days),
    }
    with connection.cursor() as cursor:
        cursor.execute(CANDIDATES_SQL.format(kind_filter=KIND_FILTERS[kind]), params)
        return [row[0] for row in cursor.fetchall()]


def notice_batches(*, limit: int = 40) -> list[NoticeBatch]:
    """Recent batches with their counts and totals (one query)."""
    return list(
        NoticeBatch.objects.annotate(
            n_notices=Count("notices", filter=Q(notices__voided=False)),
            n_occupant=Count("notices", filter=Q(notices__voided=False, notices__kind=NoticeKind.OCCUPANT)),
            amount=Sum("notices__amount_due", filter=Q(notices__voided=False)),
            fees=Sum("notices__fee_amount", filter=Q(notices__voided=False)),
        )
        .select_related("created_by", "sent_by", "policy_version")
        .order_by("-business_date", "kind")[:limit]
    )


def batch_notices(*, batch: NoticeBatch) -> QuerySet[Notice]:
    return (
        Notice.objects.filter(batch=batch, voided=False)
        .select_related("account", "account__customer", "account__premise")
        .order_by("account__bill_cycle", "account__premise__search_address", "account_id", "kind")
    )


def account_notices(*, account_id: int, limit: int = 50) -> list[Notice]:
    return list(
        Notice.objects.filter(account_id=account_id)
        .select_related("batch", "sent_by")
        .order_by("-created_at", "-id")[:limit]
    )


def batch_summary(batch: NoticeBatch) -> dict[str, Any]:
    agg = Notice.objects.filter(batch=batch, voided=False).aggregate(
        n=Count("id"), amount=Sum("amount_due"), fees=Sum("fee_amount")
    )
    return {"n": agg["n"], "amount": agg["amount"] or Decimal("0.00"), "fees": agg["fees"] or Decimal("0.00")}


def account_notices_sent(*, account_id: int, limit: int = 30) -> list[Notice]:
    """Notices sent to the account, newest first: what its timeline shows (one query)."""
    return list(
        Notice.objects.filter(account_id=account_id, sent_on__isnull=False, voided=False).order_by(
            "-sent_on", "-id"
        )[:limit]
    )
