"""The supervisor home's "yesterday against the last four weeks": every figure equals a direct
count of the base records, for an ordinary day and for a Monday (yesterday = Friday)."""

import random
import statistics
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Contact
from collections_app.models import Notice, OrderKind, ServiceOrder
from counseling.models import Arrangement, ArrangementStatus, HardshipInterview, Pledge
from payments.models import DrawerSession, Payment, PaymentStatus, ReturnedItem
from reports.selectors.home import comparison_days, last_business_day, yesterday_against_weeks
from reports.tests.home_seed import seed_day

pytestmark = pytest.mark.django_db

WED = date(2026, 10, 14)  # a Wednesday with no holiday in the five weeks before it
MON = date(2026, 10, 19)


def direct(day: date) -> dict[str, object]:
    """Each figure for one day, counted row by row in Python (no GROUP BY, no FILTER)."""
    tz = timezone.get_current_timezone()

    def local(dt):  # type: ignore[no-untyped-def]
        return dt.astimezone(tz).date() if dt else None

    pays = [p for p in Payment.objects.all() if p.business_date == day and p.status != PaymentStatus.VOIDED]
    drawers = [s for s in DrawerSession.objects.all() if s.business_date == day and s.over_short is not None]
    orders = [
        o for o in ServiceOrder.objects.all() if o.status == "completed" and local(o.completed_at) == day
    ]
    return {
        "payments": len(pays),
        "payments_amount": sum((p.amount for p in pays), Decimal(0)),
        "over_short": sum((s.over_short for s in drawers), Decimal(0)),
        "drawers_short": sum(1 for s in drawers if s.over_short < 0),
        "returns": sum(1 for r in ReturnedItem.objects.all() if r.returned_on == day),
        "arrangements": sum(1 for a in Arrangement.objects.all() if local(a.created_at) == day),
        "broken": sum(
            1 for a in Arrangement.objects.all() if a.status == ArrangementStatus.BROKEN and a.ended_on == day
        ),
        "interviews": sum(1 for h in HardshipInterview.objects.all() if local(h.conducted_at) == day),
        "contacts": sum(1 for c in Contact.objects.all() if local(c.created_at) == day),
        "notices": sum(1 for n in Notice.objects.all() if n.sent_on == day),
        "disconnects": sum(1 for o in orders if o.kind == OrderKind.DISCONNECT),
        "reconnects": sum(1 for o in orders if o.kind == OrderKind.RECONNECT),
        "pledges": sum(1 for p in Pledge.objects.all() if p.pledged_on == day),
        "pledges_amount": sum((p.amount for p in Pledge.objects.all() if p.pledged_on == day), Decimal(0)),
    }


def reconnect_hours(days: list[date]) -> float | None:
    tz = timezone.get_current_timezone()
    hours = [
        (o.completed_at - o.created_at).total_seconds() / 3600
        for o in ServiceOrder.objects.filter(kind=OrderKind.RECONNECT, status="completed").exclude(
            completed_at=None
        )
        if o.completed_at.astimezone(tz).date() in days
    ]
    return statistics.median(hours) if hours else None


def seed_weeks(make_user, yesterday: date) -> None:  # type: ignore[no-untyped-def]
    user = make_user("seeder")
    rnd = random.Random(14)
    for offset in range(0, 36):  # every day of the five weeks, weekends too: they must not count
        seed_day(yesterday - timedelta(days=offset), user, rnd=rnd)


def check(today: date) -> None:
    result = yesterday_against_weeks(today=today)
    day, earlier = result.day, result.earlier
    assert len(earlier) == 4 and all(d.weekday() == day.weekday() for d in earlier)
    want_now = direct(day)
    want_before = [direct(d) for d in earlier]
    figures = {f.key: f for f in result.figures}
    for key, value in want_now.items():
        average = sum((Decimal(str(w[key])) for w in want_before), Decimal(0)) / 4
        assert Decimal(str(figures[key].value)) == value, key
        assert abs(Decimal(str(figures[key].average)) - average) <= Decimal("0.05"), key
    hours = reconnect_hours([day])
    assert figures["reconnect_hours"].value == round(hours, 1)
    assert figures["reconnect_hours"].average == round(reconnect_hours(earlier), 1)  # type: ignore[arg-type]
    assert want_now["payments"] > 0 and want_now["drawers_short"] > 0  # the data is not empty


def test_yesterday_is_the_last_business_day() -> None:
    assert last_business_day(today=WED) == date(2026, 10, 13)
    assert last_business_day(today=MON) == date(2026, 10, 16)  # Friday
    # Tuesday after Labor Day (Mon 2026-09-07, a holiday in the policy's calendar): Friday
    assert last_business_day(today=date(2026, 9, 8)) == date(2026, 9, 4)


def test_comparison_skips_a_holiday_weekday() -> None:
    # Mondays before Mon 2026-09-14: Sep 7 is Labor Day, so three Mondays are compared
    assert comparison_days(day=date(2026, 9, 14)) == [date(2026, 8, 31), date(2026, 8, 24), date(2026, 8, 17)]


def test_figures_equal_direct_counts(make_user) -> None:  # type: ignore[no-untyped-def]
    seed_weeks(make_user, WED - timedelta(days=1))
    check(WED)


def test_figures_on_a_monday_compare_fridays(make_user) -> None:  # type: ignore[no-untyped-def]
    seed_weeks(make_user, MON - timedelta(days=3))
    result = yesterday_against_weeks(today=MON)
    assert result.day == date(2026, 10, 16) and result.day.weekday() == 4
    check(MON)


def test_arrows_and_words() -> None:
    from reports.selectors.home import Figure

    up = Figure("x", "X", 12, 10.0, "count", "/")
    assert (up.direction, up.percent, up.in_words) == ("up", 20, "up 20% on the 4-week average")
    assert up.tone == "success"
    worse = Figure("x", "X", 12, 10.0, "count", "/", higher_is_worse=True)
    assert worse.tone == "danger"
    assert Figure("x", "X", 3, 0.0, "count", "/").in_words == "up from none in the previous 4 weeks"
    assert Figure("x", "X", 5, 5.0, "count", "/").direction == "same"


@pytest.mark.parametrize("scale", [1, 3])
def test_query_count_is_fixed(make_user, django_assert_max_num_queries, scale) -> None:  # type: ignore[no-untyped-def]
    user = make_user("seeder")
    for offset in range(0, 36, 3):
        seed_day(WED - timedelta(days=1 + offset), user, scale=scale)
    yesterday_against_weeks(today=WED)  # the policy cache warmed
    # the policy's cache check (2), one GROUP BY per table (10), the 4 weeks' reconnect median (1)
    with django_assert_max_num_queries(13):
        yesterday_against_weeks(today=WED)
