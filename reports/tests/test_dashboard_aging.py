"""The aging dashboard's figures equal aging computed directly from the ledger (the account
page's own selector), and its drill-down lists exactly the accounts counted."""

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountStatus
from accounts.selectors.aging import BUCKET_LABELS, BUCKETS, aging_for_all
from accounts.tests.factories import AccountFactory, PremiseFactory, ServiceFactory, charge, pay
from reports.tests.dash import column, periods, rollup

pytestmark = pytest.mark.django_db
DAY = timezone.localdate() - timedelta(days=3)


def seed(n: int) -> list:
    """n groups of accounts spread over the buckets; some paid up, one closed, one sewer-only."""
    accounts = []
    for i in range(n):
        for age in (0, 20, 45, 75, 100, 200):
            account = AccountFactory()
            charge(
                account,
                f"{10 + i + age}.00",
                due=DAY - timedelta(days=age) if age else DAY + timedelta(days=9),
            )
            accounts.append(account)
        paid = AccountFactory()
        charge(paid, "50.00", due=DAY - timedelta(days=40))
        pay(paid, "50.00", on=DAY - timedelta(days=1))
        accounts.append(paid)
    closed = AccountFactory(status=AccountStatus.CLOSED)
    charge(closed, "70.00", due=DAY - timedelta(days=50))
    sewer = AccountFactory(water=None, premise=PremiseFactory(postal_code="85008"))
    ServiceFactory(account=sewer, utility="sewer")
    charge(sewer, "33.00", due=DAY - timedelta(days=35))
    return [*accounts, closed, sewer]


def expected(accounts: list, *, utility: str = "") -> dict:
    aging = aging_for_all(as_of=DAY)
    chosen = [a for a in accounts if not utility or a.services.filter(utility=utility).exists()]
    active = [a for a in chosen if a.status == AccountStatus.ACTIVE]
    out = {
        f"{BUCKET_LABELS[b]} ($)": sum((getattr(aging[a.pk], b) for a in chosen), Decimal(0)) for b in BUCKETS
    }
    late = [a for a in active if aging[a.pk].past_due > 0]
    out |= {
        "Active accounts": len(active),
        "Past-due accounts": len(late),
        "Past due ($)": sum((aging[a.pk].past_due for a in late), Decimal(0)),
    }
    out["Delinquency rate (%)"] = (Decimal(len(late)) / len(active) * 100).quantize(Decimal("0.1"))
    return out


@pytest.mark.parametrize("utility", ["", "water"])
def test_figures_equal_the_ledger_aging(utility):
    accounts = seed(2)
    rollup(DAY)
    table = periods("aging", start=DAY, end=DAY, grain="day", utility=utility)
    got = {label: column(table, label)[0] for label in table.columns}
    assert got == expected(accounts, utility=utility)
    assert got["Past-due accounts"] > 0 and got["Active accounts"] > got["Past-due accounts"]


def test_a_month_shows_its_last_day_not_a_sum():
    accounts = seed(1)
    rollup(DAY - timedelta(days=1), DAY)
    table = periods("aging", start=DAY - timedelta(days=1), end=DAY, grain="month")
    # one or two months, but the last row's snapshot is DAY (not DAY-1 + DAY)
    assert column(table, "Active accounts")[-1] == expected(accounts)["Active accounts"]


def _csv(client, slug, params) -> list[list[str]]:
    response = client.get(reverse("reports:drill_csv", args=[slug]) + "?" + urlencode(params))
    assert response.status_code == 200, response.content
    return [line.split(",") for line in b"".join(response.streaming_content).decode().splitlines()[1:]]


def test_drill_down_lists_exactly_the_accounts_counted(client, make_user):
    accounts = seed(2)
    rollup(DAY)
    client.force_login(make_user("sup", "Supervisor"))
    aging = aging_for_all(as_of=DAY)
    table = periods("aging", start=DAY, end=DAY, grain="day")
    base = {"start": DAY, "end": DAY, "metric": "aging", "from": DAY, "to": DAY}

    rows = _csv(client, "aging", {**base, "key": "d31_60"})
    assert sorted(r[0] for r in rows) == sorted(a.number for a in accounts if aging[a.pk].d31_60 != 0)
    assert sum(Decimal(r[-1]) for r in rows) == column(table, "31–60 ($)")[0]

    rows = _csv(client, "aging", {**base, "key": "delinquent"})
    late = [a.number for a in accounts if a.status == AccountStatus.ACTIVE and aging[a.pk].past_due > 0]
    assert sorted(r[0] for r in rows) == sorted(late)
    assert len(rows) == column(table, "Past-due accounts")[0]

    rows = _csv(client, "aging", {**base, "key": "delinquent", "utility": "sewer"})
    assert [r[0] for r in rows] == [accounts[-1].number]


def test_drill_down_pages_by_keyset(client, make_user, monkeypatch):
    accounts = seed(3)
    rollup(DAY)
    client.force_login(make_user("sup", "Supervisor"))
    from reports import views_dashboards

    monkeypatch.setattr(views_dashboards, "DRILL_PAGE", 4)
    params = {"start": DAY, "end": DAY, "metric": "aging", "key": "current", "from": DAY, "to": DAY}
    url = reverse("reports:drill", args=["aging"])
    seen, pages, query = [], 0, urlencode(params)
    while query:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200
        seen += [row[0]["text"] for row in response.context["rows"]]
        pages += 1
        query = response.context["next"]
    aging = aging_for_all(as_of=DAY)
    want = [a.number for a in sorted(accounts, key=lambda a: a.pk) if aging[a.pk].current != 0]
    assert seen == want and pages == len(want) // 4 + 1


def test_drill_down_replays_slices_of_accounts_and_goes_on_where_they_stopped(client, make_user, monkeypatch):
    """A sparse bucket at city scale: the replay reads a few slices of ids per page, each twice
    the last; when they run out before the page fills, "next" goes on from the last id read, and
    walking the pages lists exactly the accounts in the bucket, each once, in id order."""
    accounts = seed(4)
    rollup(DAY)
    client.force_login(make_user("sup", "Supervisor"))
    from reports import views_dashboards
    from reports.dashboards import aging as aging_module

    monkeypatch.setattr(views_dashboards, "DRILL_PAGE", 1)  # slices of 2 then 4 ids: 6 a page
    monkeypatch.setattr(aging_module, "FIRST_SLICE", 2)
    monkeypatch.setattr(aging_module, "MAX_SLICE", 4)
    monkeypatch.setattr(aging_module, "MAX_SLICES", 2)
    params = {"start": DAY, "end": DAY, "metric": "aging", "key": "d120_plus", "from": DAY, "to": DAY}
    url = reverse("reports:drill", args=["aging"])
    seen, sizes, query = [], [], urlencode(params)
    while query:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200
        page = [row[0]["text"] for row in response.context["rows"]]
        seen += page
        sizes.append(len(page))
        query = response.context["next"]
        assert len(sizes) < 40, "the pages never end"
    aging = aging_for_all(as_of=DAY)
    want = [a.number for a in sorted(accounts, key=lambda a: a.pk) if aging[a.pk].d120_plus != 0]
    assert seen == want and len(want) == 4
    assert 0 in sizes  # a page whose slices held none of the bucket still led on


def test_the_aging_snapshot_is_taken_nightly_for_its_last_day_and_kept_by_the_refresh():
    """Replaying the ledger is minutes at a million accounts: the 15-minute refresh keeps the
    night's snapshot, the nightly run takes only its last day, a backfill takes every day."""
    from reports.models import DailyFigure
    from reports.rollup import rollup_days, rollup_recent

    def aging_days():
        return sorted(set(DailyFigure.objects.filter(metric="aging").values_list("day", flat=True)))

    seed(1)
    today = timezone.localdate()
    rollup_days(first=today - timedelta(days=2), last=today, snapshots="last")
    assert aging_days() == [today]
    night = list(DailyFigure.objects.filter(metric="aging").values_list("key", "count", "amount"))
    charge(AccountFactory(), "999.00", due=today - timedelta(days=40))  # posted during the day
    rollup_recent(days=1, snapshots="none")
    assert sorted(DailyFigure.objects.filter(metric="aging").values_list("key", "count", "amount")) == sorted(
        night
    )
    rollup_days(first=today - timedelta(days=2), last=today, snapshots="all")
    assert aging_days() == [today - timedelta(days=2), today - timedelta(days=1), today]
    late = DailyFigure.objects.filter(metric="aging", day=today, key="d31_60")
    assert late.aggregate(total=Sum("amount"))["total"] > 999  # one row per utility, class, ZIP


def test_a_drill_down_csv_past_its_bound_asks_to_narrow_and_within_it_lists_all(
    client, make_user, monkeypatch
):
    accounts = seed(2)
    rollup(DAY)
    client.force_login(make_user("sup", "Supervisor"))
    from reports import views_dashboards

    params = {"start": DAY, "end": DAY, "metric": "aging", "key": "current", "from": DAY, "to": DAY}
    url = reverse("reports:drill_csv", args=["aging"])
    monkeypatch.setattr(views_dashboards, "DRILL_CSV_MAX", 1)  # two are counted
    response = client.get(url, params)
    body = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    assert response.status_code == 400 and "narrow the dates" in body, body
    monkeypatch.setattr(views_dashboards, "DRILL_CSV_MAX", 10_000)
    aging = aging_for_all(as_of=DAY)
    rows = _csv(client, "aging", params)
    assert sorted(r[0] for r in rows) == sorted(a.number for a in accounts if aging[a.pk].current != 0)
