"""The supervisor home's figures: the last business day against the same weekday of the four
weeks before it.

"Yesterday" is the last business day before today under the policy's calendar (Friday, on a
Monday; the day before a holiday, after it). Each figure is compared with its average over the
same weekday of the previous four weeks, counting only those of the four that were business days
(a holiday Monday would drag a Monday average down). Every figure comes from one GROUP BY-day
statement per table over the five weeks' days, whatever the data: a fixed number of queries.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Aggregate, Case, Count, F, FloatField, Q, QuerySet, Sum, When
from django.db.models.functions import Extract, TruncDate
from django.urls import reverse
from django.utils import timezone

from accounts.models import Contact
from collections_app.models import Notice, OrderKind, OrderStatus, ServiceOrder
from collections_app.models.orders import OrderOutcome
from common.money import to_money
from counseling.models import Arrangement, ArrangementStatus, HardshipInterview, Pledge
from payments.models import DrawerSession, Payment, PaymentStatus, ReturnedItem
from policy.selectors import current_policy
from policy_engine.calendar import Calendar

WEEKS = 4
HOURS = Extract(F("completed_at") - F("created_at"), "epoch") / 3600.0


class Median(Aggregate):
    """PostgreSQL's exact median (no Django built-in)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: Decimal | int | float | None
    average: Decimal | float | None
    kind: str  # "count", "money" or "hours"
    url: str
    # a rise is bad news for some figures (drawers short, returns, broken plans): colour only
    higher_is_worse: bool = False

    @property
    def percent(self) -> int | None:
        """Whole percent from the average; None when there is no average to compare with."""
        if self.value is None or not self.average:
            return None
        return round(
            (Decimal(str(self.value)) - Decimal(str(self.average))) * 100 / abs(Decimal(str(self.average)))
        )

    @property
    def size(self) -> int | None:
        """The percent without its sign (the arrow gives the sign)."""
        return None if self.percent is None else abs(self.percent)

    @property
    def direction(self) -> str:
        if self.value is None or self.average is None:
            return "none"
        if Decimal(str(self.value)) > Decimal(str(self.average)):
            return "up"
        if Decimal(str(self.value)) < Decimal(str(self.average)):
            return "down"
        return "same"

    @property
    def tone(self) -> str:
        if self.direction in ("same", "none"):
            return "secondary"
        return "danger" if (self.direction == "up") == self.higher_is_worse else "success"

    @property
    def in_words(self) -> str:
        """The difference for a screen reader (the arrow is hidden from it)."""
        if self.direction == "none":
            return "no comparison"
        if self.direction == "same":
            return "same as the 4-week average"
        if self.percent is None:
            return f"{self.direction} from none in the previous {WEEKS} weeks"
        return f"{self.direction} {abs(self.percent)}% on the {WEEKS}-week average"


@dataclass(frozen=True)
class Comparison:
    day: date
    earlier: list[date]  # the same weekday in the previous weeks that were business days
    figures: list[Figure]


def last_business_day(*, today: date, cal: Calendar | None = None) -> date:
    """The last business day before `today` (the calendar's helper counts `today` itself)."""
    cal = cal or current_policy()[0].calendar
    return cal.previous_business_day(today - timedelta(days=1))


def comparison_days(*, day: date, cal: Calendar | None = None) -> list[date]:
    cal = cal or current_policy()[0].calendar
    return [d for d in (day - timedelta(weeks=w) for w in range(1, WEEKS + 1)) if cal.is_business_day(d)]


def _bounds(days: Iterable[date]) -> tuple[datetime, datetime]:
    """Local midnight before the first day and after the last: a range an index on a timestamp serves."""
    tz = timezone.get_current_timezone()
    days = list(days)
    return (
        datetime.combine(min(days), time.min, tzinfo=tz),
        datetime.combine(max(days) + timedelta(days=1), time.min, tzinfo=tz),
    )


def _by_day(
    qs: QuerySet[Any], day_field: str, days: list[date], **aggregates: Any
) -> dict[date, dict[str, Any]]:
    """One statement: `aggregates` per day over `days` (a date column) or their local dates (a timestamp)."""
    field = qs.model._meta.get_field(day_field)
    if field.get_internal_type() == "DateTimeField":
        start, end = _bounds(days)
        qs = qs.filter(**{f"{day_field}__gte": start, f"{day_field}__lt": end}).annotate(
            day=TruncDate(day_field, tzinfo=timezone.get_current_timezone())
        )
    else:
        qs = qs.filter(**{f"{day_field}__in": days}).annotate(day=F(day_field))
    rows = qs.order_by().values("day").annotate(**aggregates)
    return {row["day"]: row for row in rows if row["day"] in days}


def _audit(verb: str, day: date) -> str:
    """The audit trail filtered to one verb and one day: every figure's records, by whom, when."""
    return f"{reverse('audit_list')}?{urlencode({'verb': verb, 'since': day, 'until': day})}"


def yesterday_against_weeks(*, today: date | None = None) -> Comparison:
    today = today or timezone.localdate()
    cal = current_policy()[0].calendar  # once: each call checks its cache (two queries)
    day = last_business_day(today=today, cal=cal)
    earlier = comparison_days(day=day, cal=cal)
    days = [day, *earlier]
    data: dict[str, dict[date, dict[str, Any]]] = {
        "payments": _by_day(
            Payment.objects.exclude(status=PaymentStatus.VOIDED), "business_date", days,
            n=Count("id"), money=Sum("amount"),
        ),
        "drawers": _by_day(
            DrawerSession.objects.filter(over_short__isnull=False), "business_date", days,
            net=Sum("over_short"), short=Count("id", filter=Q(over_short__lt=0)),
        ),
        "returns": _by_day(ReturnedItem.objects.all(), "returned_on", days, n=Count("id")),
        "created": _by_day(Arrangement.objects.all(), "created_at", days, n=Count("id")),
        "broken": _by_day(
            Arrangement.objects.filter(status=ArrangementStatus.BROKEN), "ended_on", days, n=Count("id")
        ),
        "interviews": _by_day(HardshipInterview.objects.all(), "conducted_at", days, n=Count("id")),
        "contacts": _by_day(Contact.objects.all(), "created_at", days, n=Count("id")),
        "notices": _by_day(Notice.objects.filter(sent_on__isnull=False), "sent_on", days, n=Count("id")),
        "orders": _by_day(
            ServiceOrder.objects.filter(
                status=OrderStatus.COMPLETED, outcome=OrderOutcome.DONE,
                kind__in=[OrderKind.DISCONNECT, OrderKind.RECONNECT],
            ),
            "completed_at", days,
            disconnects=Count("id", filter=Q(kind=OrderKind.DISCONNECT)),
            reconnects=Count("id", filter=Q(kind=OrderKind.RECONNECT)),
            # PERCENTILE_CONT skips NULLs: the CASE leaves out the disconnections
            hours=Median(Case(When(kind=OrderKind.RECONNECT, then=HOURS))),
        ),
        "pledges": _by_day(Pledge.objects.all(), "pledged_on", days, n=Count("id"), money=Sum("amount")),
    }  # fmt: skip
    # the median of the four weeks' reconnections, not an average of daily medians
    hours_before = _reconnect_median(earlier) if earlier else None

    def fig(
        key: str, label: str, table: str, column: str, kind: str, url: str, worse: bool = False
    ) -> Figure:
        def at(d: date) -> Any:
            return data[table].get(d, {}).get(column) or 0

        value: Any = at(day)
        average: Any = None
        if earlier:
            total = sum((Decimal(str(at(d))) for d in earlier), Decimal(0))
            average = total / len(earlier)
        if kind == "money":
            value = to_money(value)
            average = to_money(average) if average is not None else None
        elif average is not None:
            average = round(float(average), 1)
        return Figure(key, label, value, average, kind, url, worse)

    sessions = reverse("payments:sessions")
    hours_now = data["orders"].get(day, {}).get("hours")
    figures = [
        fig("payments", "Payments posted", "payments", "n", "count", _audit("payment.post", day)),
        fig("payments_amount", "Amount posted", "payments", "money", "money", _audit("payment.post", day)),
        fig("over_short", "Cash over/short", "drawers", "net", "money", reverse("payments:sessions")),
        fig("drawers_short", "Drawers short", "drawers", "short", "count", sessions, True),
        fig("returns", "Returned items (NSF)", "returns", "n", "count", _audit("payment.returned", day),
            True),
        fig("arrangements", "Arrangements created", "created", "n", "count", _audit("arrangement.", day)),
        fig("broken", "Arrangements broken", "broken", "n", "count", reverse("counseling:letters"), True),
        fig("interviews", "Hardship interviews", "interviews", "n", "count", _audit("interview.record", day)),
        fig("contacts", "Contacts", "contacts", "n", "count", _audit("contact.log", day)),
        fig("notices", "Notices sent", "notices", "n", "count", reverse("collections_app:notices")),
        fig("disconnects", "Disconnections completed", "orders", "disconnects", "count",
            _audit("service_order.complete", day)),
        fig("reconnects", "Reconnections completed", "orders", "reconnects", "count",
            _audit("service_order.complete", day)),
        Figure("reconnect_hours", "Median hours to reconnect",
               round(hours_now, 1) if hours_now is not None else None,
               round(hours_before, 1) if hours_before is not None else None, "hours",
               reverse("collections_app:orders"), True),
        fig("pledges", "Pledges received", "pledges", "n", "count", _audit("pledge.record", day)),
        fig("pledges_amount", "Amount pledged", "pledges", "money", "money", _audit("pledge.record", day)),
    ]  # fmt: skip
    return Comparison(day=day, earlier=earlier, figures=figures)


def _reconnect_median(days: list[date]) -> float | None:
    start, end = _bounds(days)
    tz = timezone.get_current_timezone()
    qs = (
        ServiceOrder.objects.filter(
            status=OrderStatus.COMPLETED, outcome=OrderOutcome.DONE, kind=OrderKind.RECONNECT,
            completed_at__gte=start, completed_at__lt=end,
        )
        .annotate(day=TruncDate("completed_at", tzinfo=tz))
        .filter(day__in=days)
    )  # fmt: skip
    return qs.aggregate(h=Median(HOURS))["h"]
