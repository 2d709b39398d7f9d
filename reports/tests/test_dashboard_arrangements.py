"""The arrangements dashboard equals counts taken directly from counseling.Arrangement, per
period and per counselor, and each number's drill-down lists exactly those arrangements."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from itertools import count
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import AccountFactory
from counseling.models import Arrangement, ArrangementStatus
from reports.tests.dash import breakdown, cell, column, periods, rollup

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
START = TODAY - timedelta(days=20)
_keys = count()


def arrangement(counselor, *, created, status="active", ended=None, total="300.00", account=None):
    arr = Arrangement.objects.create(
        account=account or AccountFactory(),
        counselor=counselor,
        status=status,
        total=Decimal(total),
        installment_count=3,
        months=3,
        reason="test",
        ended_on=ended,
        idempotency_key=f"dash-{next(_keys)}",
    )
    at = timezone.make_aware(datetime.combine(created, time(23, 30)))  # late evening: local day
    Arrangement.objects.filter(pk=arr.pk).update(created_at=at)
    return arr


@pytest.fixture
def counselors(make_user):
    return make_user("ana", "Counselor", first_name="Ana", last_name="Ruiz"), make_user("ben", "Counselor")


def seed(counselors, n: int = 1) -> None:
    ana, ben = counselors
    for i in range(n):
        arrangement(ana, created=START + timedelta(days=1 + i))
        arrangement(ana, created=START - timedelta(days=40), status="kept", ended=START + timedelta(days=2))
        arrangement(ana, created=START + timedelta(days=3), status="broken", ended=START + timedelta(days=12))
        arrangement(ben, created=START + timedelta(days=5), status="broken", ended=START + timedelta(days=6))
        arrangement(ben, created=START + timedelta(days=6), status="kept", ended=TODAY)
        arrangement(ben, created=START + timedelta(days=8), status="rejected")
        arrangement(ben, created=START - timedelta(days=2))  # before the range: not counted
        arrangement(ana, created=START - timedelta(days=9), status="broken", ended=START - timedelta(days=1))


def direct(*, counselor=None) -> dict:
    qs = Arrangement.objects.all() if counselor is None else Arrangement.objects.filter(counselor=counselor)
    created = qs.filter(created_at__date__range=(START, TODAY))
    kept = qs.filter(status=ArrangementStatus.KEPT, ended_on__range=(START, TODAY)).count()
    broken = qs.filter(status=ArrangementStatus.BROKEN, ended_on__range=(START, TODAY)).count()
    return {
        "Created": created.count(),
        "Kept": kept,
        "Broken": broken,
        "Created ($)": sum((a.total for a in created), Decimal("0.00")),
        "Kept rate (%)": (Decimal(kept) / (kept + broken) * 100).quantize(Decimal("0.1")),
    }


def totals(table) -> dict:
    out = {label: sum(column(table, label)) for label in ("Created", "Kept", "Broken", "Created ($)")}
    kept, broken = out["Kept"], out["Broken"]
    out["Kept rate (%)"] = (Decimal(kept) / (kept + broken) * 100).quantize(Decimal("0.1"))
    return out


def test_figures_per_period_and_per_counselor_equal_the_arrangements(counselors):
    ana, ben = counselors
    seed(counselors)
    rollup(START - timedelta(days=60), TODAY)
    table = periods("arrangements", start=START, end=TODAY, grain="week")
    assert (
        totals(table)
        == direct()
        == {
            "Created": 5,
            "Kept": 2,
            "Broken": 2,
            "Created ($)": Decimal("1500.00"),
            "Kept rate (%)": Decimal("50.0"),
        }
    )
    per = breakdown("arrangements", start=START, end=TODAY)
    for user, name in ((ana, "Ana Ruiz"), (ben, "ben")):
        want = direct(counselor=user)
        for label in ("Created", "Kept", "Broken", "Kept rate (%)"):
            assert cell(per, name, label).value == want[label], (name, label)
    only_ben = periods("arrangements", start=START, end=TODAY, grain="month", employee=str(ben.pk))
    assert totals(only_ben) == direct(counselor=ben)


def test_each_number_drills_into_exactly_its_arrangements(client, make_user, counselors):
    _ana, ben = counselors
    seed(counselors)
    rollup(START - timedelta(days=60), TODAY)
    client.force_login(make_user("sup", "Supervisor"))
    page = client.get(reverse("reports:dashboard", args=["arrangements"]), {"start": START, "end": TODAY})
    per = page.context["breakdown"]
    ben_row = next(r for r in per["rows"] if r["label"] == "ben")
    broken_link = ben_row["cells"][per["columns"].index("Broken")]["href"]
    drilled = client.get(broken_link)
    want = Arrangement.objects.filter(counselor=ben, status="broken", ended_on__range=(START, TODAY))
    assert [r[0]["text"] for r in drilled.context["rows"]] == [f"#{a.pk}" for a in want.order_by("pk")]
    assert drilled.context["rows"][0][0]["href"] == reverse("counseling:arrangement", args=[want[0].pk])
    # every cell of the period table: its drill-down has as many rows as the cell counts
    table = page.context["periods"]
    for row in table["rows"]:
        for label in ("Created", "Kept", "Broken"):
            c = row["cells"][table["columns"].index(label)]
            csv = client.get(c["href"].replace("/drill/?", "/drill.csv?"))
            lines = b"".join(csv.streaming_content).decode().splitlines()
            assert len(lines) - 1 == int(c["text"].replace(",", "")), (row["label"], label)


@pytest.mark.parametrize("n", [2, 6])
def test_queries_do_not_grow_with_rows(client, make_user, counselors, n, django_assert_max_num_queries):
    seed(counselors, n)
    rollup(START - timedelta(days=60), TODAY)
    client.force_login(make_user("sup", "Supervisor"))
    params = {"start": START, "end": TODAY, "grain": "day"}
    with django_assert_max_num_queries(10):
        assert client.get(reverse("reports:dashboard", args=["arrangements"]), params).status_code == 200
    drill = {**params, "metric": "arrangements", "key": "created", "from": START, "to": TODAY}
    with django_assert_max_num_queries(9):
        response = client.get(reverse("reports:drill", args=["arrangements"]) + "?" + urlencode(drill))
    assert len(response.context["rows"]) == 5 * n
