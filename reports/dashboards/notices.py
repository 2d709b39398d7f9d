"""Notices and field work, per period: notices sent by kind (by the day sent; voided notices are
not counted), shutoffs (disconnect orders completed), reconnects completed, and the hours to
reconnect (median and 90th percentile): from the payment that triggered the reconnect order (when
the payer's money arrived: received_at, else when it was posted) or, for an order the 15-minute
sweep made without a payment (an arrangement, a certificate, a pledge), the order's creation, to
the order's completion. Orders count on the local day they were completed, by whoever recorded
the completion; notices by whoever marked them sent."""

from datetime import date, timedelta

from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse

from collections_app.models.notices import Notice, NoticeKind
from collections_app.models.orders import OrderKind, OrderStatus, ServiceOrder
from reports.dashboards.base import (
    Column,
    Dashboard,
    Quantile,
    RollupMetric,
    Series,
    account_link,
    register_dashboard,
    register_metric,
)

NOTICES_SQL = """
SELECT n.sent_on, n.kind, n.account_id, n.sent_by_id, 1, 0
FROM collections_app_notice n
WHERE NOT n.voided AND n.sent_on BETWEEN %(first)s AND %(last)s
"""

COMPLETED_IN_RANGE = """o.status = 'completed'
  AND o.completed_at >= %(first)s::timestamp AT TIME ZONE %(tz)s
  AND o.completed_at < (%(last)s::date + 1)::timestamp AT TIME ZONE %(tz)s"""
COMPLETED_DAY = "(o.completed_at AT TIME ZONE %(tz)s)::date"

# amount: the fee charged (a reconnect's fee, charged at completion; 0 for a disconnect)
ORDERS_SQL = f"""
SELECT {COMPLETED_DAY}, o.kind, o.account_id, o.completed_by_id, 1, o.fee_amount
FROM collections_app_serviceorder o
WHERE o.kind IN ('disconnect', 'reconnect') AND {COMPLETED_IN_RANGE}
"""  # noqa: S608 (fixed fragments)

# key: whole minutes from the trigger to the completion (the distribution the median reads)
TRIGGER = "COALESCE(p.received_at, p.created_at, o.created_at)"
MINUTES = f"floor(extract(epoch FROM o.completed_at - {TRIGGER}) / 60)"
RECONNECT_MINUTES_SQL = f"""
SELECT {COMPLETED_DAY}, ({MINUTES})::bigint::text, o.account_id, o.completed_by_id, 1, 0
FROM collections_app_serviceorder o LEFT JOIN payments_payment p ON p.id = o.payment_id
WHERE o.kind = 'reconnect' AND {COMPLETED_IN_RANGE}
"""  # noqa: S608 (fixed fragments)


def notice_records(*, key: str, start: date, end: date) -> QuerySet:
    qs = Notice.objects.filter(voided=False, sent_on__range=(start, end))
    qs = qs.select_related("account__customer", "sent_by")
    return qs.filter(kind=key) if key else qs


def _completed(kind: str, start: date, end: date) -> QuerySet:
    return ServiceOrder.objects.filter(
        kind=kind, status=OrderStatus.COMPLETED, completed_at__date__range=(start, end)
    ).select_related("account__customer", "completed_by", "payment")


def order_records(*, key: str, start: date, end: date) -> QuerySet:
    if key not in (OrderKind.DISCONNECT, OrderKind.RECONNECT):
        return ServiceOrder.objects.none()
    return _completed(key, start, end)


def triggered_at(order: ServiceOrder):  # type: ignore[no-untyped-def]
    """When the reconnection was asked for: the payment's arrival, else the order's creation."""
    if order.payment is not None:
        return order.payment.received_at or order.payment.created_at
    return order.created_at


def reconnect_records(*, key: str, start: date, end: date) -> QuerySet:
    qs = _completed(OrderKind.RECONNECT, start, end)
    if not key:
        return qs
    if not key.lstrip("-").isdigit():
        return qs.none()
    # the same whole minutes as the roll-up's key (an interval's floor, in the database)
    waited = F("completed_at") - Coalesce("payment__received_at", "payment__created_at", "created_at")
    minutes = int(key)
    return qs.alias(waited=waited).filter(
        waited__gte=timedelta(minutes=minutes), waited__lt=timedelta(minutes=minutes + 1)
    )


def notice_pdf(notice: Notice) -> str:
    return reverse("collections_app:notice_pdf", args=[notice.pk])


def _who(user: object) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()  # type: ignore[attr-defined]


def _hours(order: ServiceOrder) -> str:
    start, end = triggered_at(order), order.completed_at
    return f"{(end - start).total_seconds() / 3600:.1f}" if start and end else ""


ORDER_COLUMNS = (
    Column("Order", lambda o: f"#{o.pk}", lambda o: reverse("collections_app:order", args=[o.pk])),
    Column("Account", lambda o: o.account.number, lambda o: account_link(o.account)),
    Column("Customer", lambda o: str(o.account.customer)),
    Column("Kind", lambda o: o.get_kind_display()),
    Column("Utility", lambda o: o.utility),
    Column("Completed", lambda o: o.completed_at),
    Column("Completed by", lambda o: _who(o.completed_by)),
    Column("Fee", lambda o: o.fee_amount, money=True),
)

register_metric(
    RollupMetric(
        name="notices.sent",
        facts_sql=NOTICES_SQL,
        records=notice_records,
        employee_path="sent_by",
        columns=(
            Column("Notice", lambda n: f"#{n.pk}", notice_pdf),
            Column("Account", lambda n: n.account.number, lambda n: account_link(n.account)),
            Column("Customer", lambda n: str(n.account.customer)),
            Column("Kind", lambda n: n.get_kind_display()),
            Column("Method", lambda n: n.get_method_display()),
            Column("Sent on", lambda n: n.sent_on),
            Column("Sent by", lambda n: _who(n.sent_by)),
            Column("Pay by", lambda n: n.pay_by or ""),
        ),
    )
)
register_metric(
    RollupMetric(
        name="orders.completed",
        facts_sql=ORDERS_SQL,
        records=order_records,
        employee_path="completed_by",
        columns=ORDER_COLUMNS,
    )
)
register_metric(
    RollupMetric(
        name="orders.reconnect_minutes",
        facts_sql=RECONNECT_MINUTES_SQL,
        records=reconnect_records,
        employee_path="completed_by",
        columns=(
            *ORDER_COLUMNS[:3],
            Column("Triggered", triggered_at),
            Column("Completed", lambda o: o.completed_at),
            Column("Hours", _hours),
            Column("Completed by", lambda o: _who(o.completed_by)),
        ),
    )
)

KIND_LABELS = {
    NoticeKind.REMINDER.value: "Reminders",
    NoticeKind.SHUTOFF.value: "Shutoff notices",
    NoticeKind.FINAL.value: "Final notices",
    NoticeKind.OCCUPANT.value: "Occupant notices",
    NoticeKind.POSTED.value: "Posted notices",
}
assert set(KIND_LABELS) == set(NoticeKind.values), "a new notice kind needs its column"

register_dashboard(
    Dashboard(
        slug="notices",
        title="Notices and field work",
        description="Notices sent by kind (voided ones not counted), shutoffs (disconnect orders "
        "completed), reconnects completed, and the hours from the payment or request that triggered "
        "each reconnect order to its completion (median and 90th percentile).",
        series=(
            *(Series("notices.sent", kind, label) for kind, label in KIND_LABELS.items()),
            Series("notices.sent", None, "Notices sent"),
            Series("orders.completed", OrderKind.DISCONNECT.value, "Shutoffs"),
            Series("orders.completed", OrderKind.RECONNECT.value, "Reconnects"),
            Series("orders.completed", OrderKind.RECONNECT.value, "Reconnect fees ($)", "amount"),
        ),
        quantiles=(
            Quantile("Hours to reconnect (median)", "orders.reconnect_minutes", 0.5, divisor=60),
            Quantile("Hours to reconnect (90th percentile)", "orders.reconnect_minutes", 0.9, divisor=60),
        ),
        chart=(
            ("Notices sent", "bar"),
            ("Shutoffs", "bar"),
            ("Reconnects", "bar"),
            ("Hours to reconnect (median)", "line"),
        ),
    )
)
