"""The fairness dashboard equals rates taken directly from the notices, disconnect orders and held
shutoff candidates over the active accounts of each ZIP code and low-income group; each count
drills into exactly its records; a group over 1.5x the city-wide rate is marked, a small one
cautioned; the page's queries do not grow with the rows."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from itertools import count
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account
from accounts.tests.factories import AccountFactory
from collections_app.models import Notice, ServiceOrder, ShutoffCandidate
from collections_app.models.runs import BatchRun
from counseling.models import ProgramEnrollment
from reports.dashboards.base import dashboard
from reports.dashboards.fairness import group_tables
from reports.tests.dash import cell, column, filters, periods, rollup

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
START = TODAY - timedelta(days=20)
_keys = count()


def notice(account, sent_on, *, voided=False, kind="shutoff"):
    return Notice.objects.create(
        account=account,
        kind=kind,
        addressee="x",
        sent_on=sent_on,
        voided=voided,
        idempotency_key=f"fn-{next(_keys)}",
    )


def shutoff(account, day, *, outcome="done", status="completed"):
    return ServiceOrder.objects.create(
        account=account,
        kind="disconnect",
        status=status,
        outcome=outcome,
        reason="list",
        scheduled_for=day,
        completed_at=timezone.make_aware(datetime.combine(day, time(23, 15))),  # late: local day
        idempotency_key=f"fs-{next(_keys)}",
    )


def hold(account, day, code="medical_certificate", status="held"):
    run, _ = BatchRun.objects.get_or_create(
        kind="shutoff", business_date=day, defaults={"status": "finished"}
    )
    return ShutoffCandidate.objects.create(run=run, account=account, status=status, deciding_code=code)


def low_income(account, make_user):
    ProgramEnrollment.objects.create(
        account=account,
        program="low_income",
        certified_on=START,
        recert_due=TODAY + timedelta(days=300),
        counselor=make_user(f"c{next(_keys)}", "Counselor"),
    )


def seed(make_user, n: int = 1) -> dict:
    """ZIP 85001: 4n accounts, n of them low income, most of the trouble. ZIP 85002: 6n quiet ones."""
    east = [AccountFactory(premise__postal_code="85001") for _ in range(4 * n)]
    west = [AccountFactory(premise__postal_code="85002") for _ in range(6 * n)]
    for i in range(n):
        a, b, c, d = east[4 * i : 4 * i + 4]
        low_income(a, make_user)
        notice(a, START + timedelta(days=1))
        notice(b, START + timedelta(days=2), kind="final")
        notice(b, START + timedelta(days=3), voided=True)  # voided: not counted
        notice(c, START - timedelta(days=1))  # before the range
        shutoff(a, START + timedelta(days=4))
        shutoff(b, START + timedelta(days=5))
        shutoff(c, START + timedelta(days=5), outcome="no_access")  # not done
        hold(d, START + timedelta(days=6))
        hold(c, START + timedelta(days=6), status="listed")  # listed, not held
        notice(west[6 * i], START + timedelta(days=7))
        hold(west[6 * i + 1], START + timedelta(days=6), code="pledge")
    return {"east": east, "west": west}


def direct(accounts) -> dict:
    ids = [a.pk for a in accounts]
    active = Account.objects.filter(pk__in=ids, status="active").count()
    n = Notice.objects.filter(account__in=ids, sent_on__range=(START, TODAY), voided=False).count()
    s = ServiceOrder.objects.filter(
        account__in=ids,
        kind="disconnect",
        status="completed",
        outcome="done",
        completed_at__date__range=(START, TODAY),
    ).count()
    h = ShutoffCandidate.objects.filter(
        account__in=ids, status="held", run__kind="shutoff", run__business_date__range=(START, TODAY)
    ).count()

    def per(x):
        return (Decimal(x) * 1000 / active).quantize(Decimal("0.1"))

    return {
        "Active accounts": active,
        "Notices": n,
        "Notices per 1,000": per(n),
        "Shutoffs": s,
        "Shutoffs per 1,000": per(s),
        "Protections applied": h,
        "Protections applied per 1,000": per(h),
    }


def row(table, label) -> dict:
    return {c: cell(table, label, c).value for c in table.columns}


def test_rates_by_zip_and_low_income_equal_the_base_records(make_user):
    accounts = seed(make_user)
    rollup(START - timedelta(days=5), TODAY)
    tables = group_tables(filters(start=START, end=TODAY))
    by_zip, by_low = tables["postal-codes"], tables["low-income"]
    everyone = accounts["east"] + accounts["west"]
    city = direct(everyone)
    assert city["Notices"] == 3 and city["Shutoffs"] == 2 and city["Protections applied"] == 2
    low = [a for a in everyone if a.enrollments.exists()]
    other = [a for a in everyone if a not in low]
    for table, label, group in (
        (by_zip, "85001", accounts["east"]),
        (by_zip, "85002", accounts["west"]),
        (by_low, "Low-income households", low),
        (by_low, "Other households", other),
    ):
        got = row(table, label)
        for key, value in direct(group).items():
            assert got[key] == value, (label, key)
        for _, measure in (("n", "Notices"), ("s", "Shutoffs"), ("h", "Protections applied")):
            assert got[f"City-wide {measure.lower()} per 1,000"] == city[f"{measure} per 1,000"]
    # sorted by shutoff rate: the east side first
    assert [r.label for r in by_zip.rows] == ["85001", "85002"]
    assert [r.label for r in by_low.rows] == ["Low-income households", "Other households"]
    # east: 2 shutoffs / 4 accounts = 500 per 1,000, city 200 (notices 500 vs 300): marked;
    # west none; both small groups
    shut = by_zip.columns.index("Shutoffs per 1,000")
    assert by_zip.rows[0].cells[shut].flag and not by_zip.rows[1].cells[shut].flag
    assert column(by_zip, "Caution") == [
        "Above 1.5x city-wide: notices, shutoffs; Small numbers: 4 active accounts (under 100)",
        "Small numbers: 6 active accounts (under 100)",
    ]
    # the period table sums to the same totals
    table = periods("fairness", start=START, end=TODAY, grain="week")
    assert sum(column(table, "Notices")) == 3 and sum(column(table, "Protections applied")) == 2


def test_a_group_of_100_accounts_has_no_caution_and_filters_narrow_the_city(make_user):
    AccountFactory.create_batch(100, premise__postal_code="85009")
    rollup(TODAY)
    by_zip = group_tables(filters(start=START, end=TODAY))["postal-codes"]
    assert row(by_zip, "85009")["Caution"] == "" and row(by_zip, "85009")["Active accounts"] == 100
    only = group_tables(filters(start=START, end=TODAY, postal_code="85001"))["postal-codes"]
    assert only.rows == []


def test_every_count_drills_into_exactly_its_records(client, make_user):
    seed(make_user)
    rollup(START - timedelta(days=5), TODAY)
    client.force_login(make_user("sup", "Supervisor"))
    page = client.get(reverse("reports:dashboard", args=["fairness"]), {"start": START, "end": TODAY})
    assert page.status_code == 200
    tables = {t["name"]: t for t in page.context["extra_tables"]}
    assert set(tables) == {"postal-codes", "low-income"}
    assert b'data-testid="flag"' in page.content
    checked = 0
    for table in tables.values():
        for r in table["rows"]:
            for label in ("Active accounts", "Notices", "Shutoffs", "Protections applied"):
                c = r["cells"][table["columns"].index(label)]
                listed = client.get(c["href"])
                assert listed.status_code == 200
                assert len(listed.context["rows"]) == int(c["text"]), (r["label"], label)
                checked += 1
    assert checked == 16
    # the east side's shutoffs are exactly its completed disconnects
    east = tables["postal-codes"]["rows"][0]
    href = east["cells"][tables["postal-codes"]["columns"].index("Shutoffs")]["href"]
    want = ServiceOrder.objects.filter(account__premise__postal_code="85001", outcome="done").order_by("pk")
    assert [r[0]["text"] for r in client.get(href).context["rows"]] == [f"#{o.pk}" for o in want]
    csv = client.get(
        reverse("reports:table_csv", args=["fairness", "postal-codes"]), {"start": START, "end": TODAY}
    )
    lines = b"".join(csv.streaming_content).decode().splitlines()
    assert lines[0].startswith('ZIP code,Active accounts,Notices,"Notices per 1,000"')
    assert lines[1].startswith("85001,4,2,500.0,300.0,2,500.0,200.0,1,250.0,200.0,")


def test_rollup_twice_changes_nothing(make_user):
    seed(make_user)
    rollup(START, TODAY)
    before = group_tables(filters(start=START, end=TODAY))
    rollup(START, TODAY)
    assert group_tables(filters(start=START, end=TODAY)) == before


@pytest.mark.parametrize("n", [1, 3])
def test_queries_do_not_grow_with_rows(client, make_user, n, django_assert_max_num_queries):
    seed(make_user, n)
    rollup(START - timedelta(days=5), TODAY)
    client.force_login(make_user("sup", "Supervisor"))
    params = {"start": START, "end": TODAY, "grain": "day"}
    with django_assert_max_num_queries(10):
        assert client.get(reverse("reports:dashboard", args=["fairness"]), params).status_code == 200
    drill = {**params, "metric": "fairness_notices", "key": "", "from": START, "to": TODAY}
    with django_assert_max_num_queries(9):
        response = client.get(reverse("reports:drill", args=["fairness"]) + "?" + urlencode(drill))
    assert len(response.context["rows"]) == 3 * n
    assert dashboard("fairness").uses_employee is False
