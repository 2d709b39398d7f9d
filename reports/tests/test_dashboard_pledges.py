"""The pledges dashboard equals sums taken directly from counseling.Pledge, per agency, and each
number's drill-down lists exactly those pledges."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import AccountFactory
from counseling.models import Pledge
from counseling.tests.factories import agency
from reports.tests.dash import breakdown, cell, column, periods, rollup

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
START = TODAY - timedelta(days=30)


def pledge(counselor, org, *, on, amount="100.00", status="pending", closed=None, paid="0.00"):
    return Pledge.objects.create(
        account=AccountFactory(),
        agency=org,
        program="LIHEAP",
        amount=Decimal(amount),
        paid_amount=Decimal(paid),
        pledged_on=on,
        expected_by=on + timedelta(days=30),
        status=status,
        closed_at=timezone.make_aware(datetime.combine(closed, time(22, 0))) if closed else None,
        counselor=counselor,
    )


def test_pledged_paid_days_and_expired_per_agency_equal_the_pledges(client, make_user):
    ana = make_user("ana", "Counselor")
    valley, mesa = agency(), agency("Mesa Aid")
    pledge(ana, valley, on=START + timedelta(days=1), amount="120.00")
    pledge(
        ana,
        valley,
        on=START + timedelta(days=2),
        amount="80.00",
        status="paid",
        paid="80.00",
        closed=START + timedelta(days=12),
    )  # 10 days
    pledge(
        ana,
        mesa,
        on=START - timedelta(days=10),
        amount="50.00",
        status="paid",
        paid="50.00",
        closed=START + timedelta(days=10),
    )  # 20 days; pledged before the range
    pledge(
        ana,
        mesa,
        on=START + timedelta(days=3),
        amount="70.00",
        status="expired",
        paid="0.00",
        closed=START + timedelta(days=25),
    )
    pledge(
        ana,
        mesa,
        on=START - timedelta(days=40),
        amount="60.00",
        status="expired",
        closed=START - timedelta(days=5),
    )  # expired before the range
    rollup(START - timedelta(days=60), TODAY)

    table = periods("pledges", start=START, end=TODAY, grain="month")
    assert (
        sum(column(table, "Pledged")) == Pledge.objects.filter(pledged_on__range=(START, TODAY)).count() == 3
    )
    assert sum(column(table, "Pledged ($)")) == Decimal("270.00")
    assert sum(column(table, "Paid ($)")) == Decimal("130.00")
    assert sum(column(table, "Expired unpaid ($)")) == Decimal("70.00")

    per = breakdown("pledges", start=START, end=TODAY)
    assert cell(per, "Mesa Aid", "Average days to pay").value == Decimal("20.0")
    assert cell(per, "Valley Community Action", "Average days to pay").value == Decimal("10.0")
    assert cell(per, "Valley Community Action", "Paid / pledged ($, %)").value == Decimal("40.0")  # 80 / 200
    assert cell(per, "Mesa Aid", "Expired").value == 1

    client.force_login(make_user("sup", "Supervisor"))
    page = client.get(reverse("reports:dashboard", args=["pledges"]), {"start": START, "end": TODAY})
    bd = page.context["breakdown"]
    row = next(r for r in bd["rows"] if r["label"] == "Mesa Aid")
    drilled = client.get(row["cells"][bd["columns"].index("Paid")]["href"])
    paid_mesa = Pledge.objects.get(agency=mesa, status="paid")
    assert [r[0]["text"] for r in drilled.context["rows"]] == [paid_mesa.account.number]
    drilled = client.get(row["cells"][bd["columns"].index("Pledged")]["href"])
    assert [r[4]["text"] for r in drilled.context["rows"]] == [str(START + timedelta(days=3))]
