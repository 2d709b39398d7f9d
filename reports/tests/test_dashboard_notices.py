"""The notices and field work dashboard equals what collections_app's Notice and ServiceOrder
records say: notices sent by kind (voided ones not counted), shutoffs and reconnects completed,
the median and 90th percentile of the hours to reconnect (computed here by PostgreSQL's own
percentile_cont over the base records), and each number drills into exactly its records."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from itertools import count
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import AccountFactory
from collections_app.models.notices import Notice
from collections_app.models.orders import ServiceOrder
from payments.models import CounterTransaction, Payment
from reports.models import DailyFigure
from reports.tests.dash import cell, column, periods, rollup

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
START = TODAY - timedelta(days=20)
_keys = count()


def at(day, hour=23, minute=30):  # late evening: the local day, not UTC's
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def notice(kind, sent_on, by, *, voided=False):
    return Notice.objects.create(
        account=AccountFactory(),
        kind=kind,
        addressee="Test Person",
        amount_due=Decimal("100.00"),
        sent_on=sent_on,
        sent_by=by,
        voided=voided,
        idempotency_key=f"dash-notice-{next(_keys)}",
    )


def payment(account, cashier, *, received=None, posted):
    k = next(_keys)
    tx = CounterTransaction.objects.create(
        receipt_number=f"R-{k}",
        total=Decimal("50.00"),
        idempotency_key=f"dash-tx-{k}",
        created_by=cashier,
        business_date=posted.date(),
    )
    pay = Payment.objects.create(
        transaction=tx,
        account=account,
        amount=Decimal("50.00"),
        tender_kind="cash",
        business_date=posted.date(),
        received_at=received,
    )
    Payment.objects.filter(pk=pay.pk).update(created_at=posted)
    return Payment.objects.get(pk=pay.pk)


def order(kind, by, *, created, completed=None, status="completed", pay=None, fee="0.00"):
    o = ServiceOrder.objects.create(
        account=pay.account if pay else AccountFactory(),
        kind=kind,
        status=status,
        reason="test",
        scheduled_for=created.date(),
        completed_at=completed,
        completed_by=by if completed else None,
        payment=pay,
        fee_amount=Decimal(fee),
        idempotency_key=f"dash-order-{next(_keys)}",
    )
    ServiceOrder.objects.filter(pk=o.pk).update(created_at=created)
    return o


@pytest.fixture
def staff(make_user):
    return make_user("cara", "Collections officer", first_name="Cara", last_name="Diaz"), make_user(
        "dan", "Collections officer"
    )


def seed(staff, n: int = 1) -> None:
    cara, dan = staff
    for i in range(n):
        notice("reminder", START + timedelta(days=1 + i), cara)
        notice("shutoff", START + timedelta(days=2), cara)
        notice("final", START + timedelta(days=9), dan)
        notice("final", START + timedelta(days=9), dan, voided=True)  # voided: not counted
        notice("reminder", START - timedelta(days=1), dan)  # before the range
        notice("reminder", None, dan)  # never sent
        order("disconnect", cara, created=at(START), completed=at(START + timedelta(days=1)))
        order("disconnect", dan, created=at(START), completed=at(START + timedelta(days=10), 9))
        order("disconnect", dan, created=at(START), status="open")  # not done yet
        order("low_flow", dan, created=at(START), completed=at(START + timedelta(days=3)))  # not a shutoff
        day = START + timedelta(days=4)
        # a lockbox payment received at 8:00, posted at noon, reconnected 26h later than received
        p1 = payment(AccountFactory(), dan, received=at(day, 8, 0), posted=at(day, 12, 0))
        order(
            "reconnect",
            cara,
            created=at(day, 12, 0),
            completed=at(day + timedelta(days=1), 10, 0),
            pay=p1,
            fee="25.00",
        )
        # a counter payment (no received_at): from its posting, 3h15m
        p2 = payment(AccountFactory(), dan, posted=at(day, 9, 0))
        order("reconnect", dan, created=at(day, 9, 0), completed=at(day, 12, 15), pay=p2, fee="25.00")
        # the sweep's order (an arrangement made): from the order's creation, 50h
        order("reconnect", dan, created=at(day, 6, 0), completed=at(day + timedelta(days=2), 8, 0))
        order(
            "reconnect",
            cara,
            created=at(START + timedelta(days=11), 7, 0),
            completed=at(TODAY, 7, 30),
            fee="40.00",
        )


def direct_quantiles(start, end, *, employee=None) -> tuple:
    """PostgreSQL's percentile_cont over the base records, in hours (whole minutes, as shown)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY m),
                   percentile_cont(0.9) WITHIN GROUP (ORDER BY m)
            FROM (SELECT floor(extract(epoch FROM o.completed_at
                        - COALESCE(p.received_at, p.created_at, o.created_at)) / 60) AS m
                  FROM collections_app_serviceorder o LEFT JOIN payments_payment p ON p.id = o.payment_id
                  WHERE o.kind = 'reconnect' AND o.status = 'completed'
                    AND (o.completed_at AT TIME ZONE %s)::date BETWEEN %s AND %s
                    AND (%s::integer IS NULL OR o.completed_by_id = %s)) x
            """,
            [timezone.get_current_timezone_name(), start, end, employee, employee],
        )
        med, p90 = cursor.fetchone()
    if med is None:
        return None, None
    return tuple((Decimal(str(v)) / 60).quantize(Decimal("0.1")) for v in (med, p90))


def test_figures_equal_the_notices_and_orders(staff):
    _cara, dan = staff
    seed(staff)
    rollup(START - timedelta(days=30), TODAY)
    table = periods("notices", start=START, end=TODAY, grain="week")
    sent = Notice.objects.filter(voided=False, sent_on__range=(START, TODAY))
    done = ServiceOrder.objects.filter(status="completed", completed_at__date__range=(START, TODAY))
    kinds = (("Reminders", "reminder"), ("Shutoff notices", "shutoff"), ("Final notices", "final"))
    for label, kind in kinds:
        assert sum(column(table, label)) == sent.filter(kind=kind).count() == 1, label
    assert sum(column(table, "Notices sent")) == sent.count() == 3
    assert sum(column(table, "Shutoffs")) == done.filter(kind="disconnect").count() == 2
    assert sum(column(table, "Reconnects")) == done.filter(kind="reconnect").count() == 4
    assert sum(column(table, "Reconnect fees ($)")) == Decimal("90.00")
    # one period holding every reconnect: its median and p90 equal PostgreSQL's over the orders
    whole = periods("notices", start=START, end=TODAY, grain="month")
    if len(whole.rows) == 1:
        row = whole.rows[0].label
        med, p90 = direct_quantiles(START, TODAY)
        assert cell(whole, row, "Hours to reconnect (median)").value == med
        assert cell(whole, row, "Hours to reconnect (90th percentile)").value == p90
    # each week: the quantiles of the reconnects completed in that week
    for r in table.rows:
        first, _, last = r.label.partition(" to ")
        med, p90 = direct_quantiles(first, last)
        assert cell(table, r.label, "Hours to reconnect (median)").value == med, r.label
        assert cell(table, r.label, "Hours to reconnect (90th percentile)").value == p90, r.label
    # the three reconnects of day 4-6: 26h, 3.25h, 50h -> median 26.0, p90 45.2 (interpolated)
    assert direct_quantiles(START + timedelta(days=4), START + timedelta(days=6)) == (
        Decimal("26.0"),
        Decimal("45.2"),
    )
    only_dan = periods("notices", start=START, end=TODAY, grain="month", employee=str(dan.pk))
    assert sum(column(only_dan, "Notices sent")) == sent.filter(sent_by=dan).count() == 1
    assert sum(column(only_dan, "Shutoffs")) == done.filter(kind="disconnect", completed_by=dan).count() == 1
    assert sum(column(only_dan, "Reconnects")) == done.filter(kind="reconnect", completed_by=dan).count() == 2
    if len(only_dan.rows) == 1:
        row = only_dan.rows[0].label
        assert (
            cell(only_dan, row, "Hours to reconnect (median)").value
            == direct_quantiles(START, TODAY, employee=dan.pk)[0]
        )


def test_each_number_drills_into_exactly_its_records(client, make_user, staff):
    seed(staff)
    rollup(START - timedelta(days=30), TODAY)
    client.force_login(make_user("sup", "Supervisor"))
    page = client.get(
        reverse("reports:dashboard", args=["notices"]), {"start": START, "end": TODAY, "grain": "week"}
    )
    table = page.context["periods"]
    checked = 0
    for row in table["rows"]:
        for label in ("Reminders", "Final notices", "Notices sent", "Shutoffs", "Reconnects"):
            c = row["cells"][table["columns"].index(label)]
            csv = client.get(c["href"].replace("/drill/?", "/drill.csv?"))
            lines = b"".join(csv.streaming_content).decode().splitlines()
            assert len(lines) - 1 == int(c["text"].replace(",", "")), (row["label"], label)
            checked += len(lines) - 1
        med = row["cells"][table["columns"].index("Hours to reconnect (median)")]
        recon = row["cells"][table["columns"].index("Reconnects")]
        if recon["text"] != "0":  # the median is over exactly the reconnects counted
            drilled = client.get(med["href"])
            assert len(drilled.context["rows"]) == int(recon["text"])
        else:
            assert med["text"] == "—" and not med["href"]
    assert checked == 1 + 1 + 3 + 2 + 4
    # a shutoff's drill-down lists the orders themselves, linked
    sd = next(r for r in table["rows"] if r["cells"][table["columns"].index("Shutoffs")]["text"] != "0")
    drilled = client.get(sd["cells"][table["columns"].index("Shutoffs")]["href"])
    ids = {int(r[0]["text"][1:]) for r in drilled.context["rows"]}
    assert set(ServiceOrder.objects.filter(pk__in=ids).values_list("kind", flat=True)) == {"disconnect"}
    assert drilled.context["rows"][0][0]["href"] == reverse("collections_app:order", args=[min(ids)])


def test_the_roll_up_twice_changes_nothing(staff):
    seed(staff)
    rollup(START - timedelta(days=30), TODAY)
    fields = ("day", "metric", "key", "employee_id", "count", "amount")
    metrics = ("notices.sent", "orders.completed", "orders.reconnect_minutes")
    first = sorted(DailyFigure.objects.filter(metric__in=metrics).values_list(*fields))
    rollup(START - timedelta(days=30), TODAY)
    assert sorted(DailyFigure.objects.filter(metric__in=metrics).values_list(*fields)) == first
    assert len(first) > 0


@pytest.mark.parametrize("n", [2, 6])
def test_queries_do_not_grow_with_rows(client, make_user, staff, n, django_assert_max_num_queries):
    seed(staff, n)
    rollup(START - timedelta(days=30), TODAY)
    client.force_login(make_user("sup", "Supervisor"))
    params = {"start": START, "end": TODAY, "grain": "day"}
    with django_assert_max_num_queries(10):
        assert client.get(reverse("reports:dashboard", args=["notices"]), params).status_code == 200
    for metric, key, rows in (("notices.sent", "", 3 * n), ("orders.reconnect_minutes", "", 4 * n)):
        drill = {**params, "metric": metric, "key": key, "from": START, "to": TODAY}
        with django_assert_max_num_queries(9):
            response = client.get(reverse("reports:drill", args=["notices"]) + "?" + urlencode(drill))
        assert len(response.context["rows"]) == rows
