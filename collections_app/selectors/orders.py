"""Reads of service orders: the board, one order, the crews' route sheet, the account page."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import groupby

from django.db.models import Count, OuterRef, QuerySet, Subquery

from accounts.models import Service
from collections_app.models.orders import OrderKind, OrderStatus, ServiceOrder

BOARD_TABS = {
    "open": [OrderStatus.OPEN],
    "dispatched": [OrderStatus.DISPATCHED],
    "completed": [OrderStatus.COMPLETED],
    "cancelled": [OrderStatus.CANCELLED],
}


def _with_meter(qs: QuerySet[ServiceOrder]) -> QuerySet[ServiceOrder]:
    meter = Service.objects.filter(
        account_id=OuterRef("account_id"), utility=OuterRef("utility"), ended_on__isnull=True
    ).values("meter_number")[:1]
    return qs.annotate(meter=Subquery(meter))


def order_board(*, tab: str, crew: str = "", kind: str = "") -> QuerySet[ServiceOrder]:
    qs = ServiceOrder.objects.filter(status__in=BOARD_TABS.get(tab, BOARD_TABS["open"]))
    if crew:
        qs = qs.filter(crew=crew)
    if kind:
        qs = qs.filter(kind=kind)
    order = ("scheduled_for", "account__bill_cycle", "account__premise__search_address", "id")
    if tab in ("completed", "cancelled"):
        order = ("-completed_at", "-cancelled_at", "-id")
    return _with_meter(
        qs.select_related("account", "account__customer", "account__premise", "candidate").order_by(*order)
    )


def board_counts() -> dict[str, int]:
    counts = dict(ServiceOrder.objects.values_list("status").annotate(n=Count("id")).order_by())
    return {tab: sum(counts.get(s, 0) for s in statuses) for tab, statuses in BOARD_TABS.items()}


def crews() -> list[str]:
    return list(
        ServiceOrder.objects.filter(status=OrderStatus.DISPATCHED)
        .exclude(crew="")
        .values_list("crew", flat=True)
        .distinct()
        .order_by("crew")
    )


def order_get(*, order_id: int) -> ServiceOrder | None:
    return (
        _with_meter(ServiceOrder.objects.filter(pk=order_id))
        .select_related(
            "account",
            "account__customer",
            "account__premise",
            "candidate",
            "candidate__run",
            "created_by",
            "dispatched_by",
            "completed_by",
            "cancelled_by",
        )
        .first()
    )


@dataclass(frozen=True)
class RouteStop:
    order: ServiceOrder
    collect: Decimal  # what the customer can pay at the door to stop a disconnection


@dataclass(frozen=True)
class Route:
    crew: str
    route: int  # the premise's meter-reading route (its bill cycle)
    stops: list[RouteStop]


def route_sheet(*, crew: str = "", day: date | None = None) -> list[Route]:
    """Dispatched orders grouped by crew, then route, in address order: what a crew drives."""
    qs = order_board(tab="dispatched", crew=crew).order_by(
        "crew", "account__bill_cycle", "account__premise__search_address", "id"
    )
    if day is not None:
        qs = qs.filter(scheduled_for__lte=day)
    routes = []
    for (crew_name, cycle), orders in groupby(qs, key=lambda o: (o.crew, o.account.bill_cycle)):
        stops = []
        for order in orders:
            owed = max(order.account.balance, Decimal("0.00"))
            if order.kind in (OrderKind.DISCONNECT, OrderKind.LOW_FLOW) and order.candidate_id:
                owed = min(owed, order.candidate.past_due)
            stops.append(RouteStop(order, owed if order.kind != OrderKind.RECONNECT else Decimal("0.00")))
        routes.append(Route(crew_name, cycle, stops))
    return routes


ROUTE_CSV_HEADER = [
    "crew",
    "route",
    "order",
    "kind",
    "account",
    "name",
    "service address",
    "utility",
    "meter",
    "amount to collect",
    "scheduled for",
    "reason",
]


def route_csv_rows(*, crew: str = "") -> list[list[str]]:
    rows: list[list[str]] = [ROUTE_CSV_HEADER]
    for route in route_sheet(crew=crew):
        for stop in route.stops:
            o = stop.order
            rows.append(
                [
                    route.crew,
                    str(route.route),
                    str(o.pk),
                    o.get_kind_display(),
                    o.account.number,
                    o.account.customer.display_name,
                    str(o.account.premise),
                    o.utility,
                    o.meter or "",
                    f"{stop.collect:.2f}",
                    o.scheduled_for.isoformat(),
                    o.reason,
                ]
            )
    return rows


def account_orders(*, account_id: int, limit: int = 30) -> list[ServiceOrder]:
    """The account's orders, newest first (one query): the page's flag and its timeline."""
    return list(ServiceOrder.objects.filter(account_id=account_id).order_by("-created_at", "-id")[:limit])


def account_orders_cached(ctx: dict) -> list[ServiceOrder]:  # type: ignore[type-arg]
    """Loaded once per account page, shared by the flag and timeline providers."""
    if "service_orders" not in ctx:
        ctx["service_orders"] = account_orders(account_id=ctx["account"].pk)
    return ctx["service_orders"]


def account_timeline(ctx: dict) -> list:  # type: ignore[type-arg]
    from django.urls import reverse

    from accounts.page_registry import TimelineItem

    items = []
    for o in account_orders_cached(ctx):
        when = o.completed_at or o.cancelled_at or o.dispatched_at or o.created_at
        detail = o.cancelled_reason if o.status == OrderStatus.CANCELLED else o.reason
        if o.status == OrderStatus.DISPATCHED:
            detail = f"Crew {o.crew}. {detail}"
        if o.kind == OrderKind.RECONNECT and o.status == OrderStatus.COMPLETED and o.fee_reason:
            detail = f"Fee: {o.fee_reason}"
        items.append(
            TimelineItem(
                when,
                "order",
                f"{o.get_kind_display()} order #{o.pk}: {o.get_status_display().lower()}",
                detail[:200],
                o.fee_amount if o.fee_amount else None,
                url=reverse("collections_app:order", args=[o.pk]),
            )
        )
    return items
