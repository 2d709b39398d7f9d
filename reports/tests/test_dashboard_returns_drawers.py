"""Returned items and drawer over/short equal what payments' own records say: per tender, per
cashier, per drawer; drawers short beyond the policy's tolerance; each number's drill-down lists
exactly the records it counts; constant query counts; a re-run of the roll-up changes nothing."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from itertools import count
from urllib.parse import urlencode

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import AccountFactory
from payments.models import (
    CounterTransaction,
    DrawerSession,
    Payment,
    ReturnedItem,
    ReturnedLine,
    SessionStatus,
    Tender,
)
from payments.services.sessions import session_close
from payments.tests.factories import open_session
from policy.selectors import current_policy
from reports.models import DailyFigure
from reports.tests.dash import breakdown, cell, column, periods, rollup

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
START = TODAY - timedelta(days=20)
_n = count()


def returned(cashier, recorder, *, kind, on, amounts=("40.00",), legacy=False):
    """One tender of `kind` paying one account per amount, returned on `on` (legacy: no tender)."""
    n = next(_n)
    total = sum(Decimal(a) for a in amounts)
    txn = CounterTransaction.objects.create(
        receipt_number=f"R{n:06d}",
        idempotency_key=f"dash-r{n}",
        total=total,
        created_by=cashier,
        business_date=on - timedelta(days=3),
    )
    tender = Tender.objects.create(transaction=txn, kind=kind, amount=total, tendered=total)
    payments = [
        Payment.objects.create(
            transaction=txn,
            account=AccountFactory(),
            amount=Decimal(a),
            tender_kind=kind,
            business_date=on - timedelta(days=3),
            status="returned",
            returned_amount=Decimal(a),
        )
        for a in amounts
    ]
    item = ReturnedItem.objects.create(
        tender=None if legacy else tender,
        amount=total,
        returned_on=on,
        reason="NSF",
        fee_account=payments[0].account,
        recorded_by=recorder,
        idempotency_key=f"dash-ri{n}",
    )
    for p in payments:
        ReturnedLine.objects.create(item=item, payment=p, amount=p.amount)
    return item


@pytest.fixture
def cashiers(make_user):
    return make_user("cam", "Cashier", first_name="Cam", last_name="Diaz"), make_user("dee", "Cashier")


def seed_returns(cashiers, n=1):
    cam, dee = cashiers
    for _ in range(n):
        returned(cam, dee, kind="check", on=START + timedelta(days=1), amounts=("40.00", "60.00"))
        returned(cam, dee, kind="lockbox", on=START + timedelta(days=9))
        returned(dee, cam, kind="check", on=TODAY, amounts=("25.50",))
        returned(dee, cam, kind="electronic", on=START + timedelta(days=15), legacy=True)
        returned(dee, cam, kind="check", on=START - timedelta(days=1))  # before the range


def direct_returns(*, cashier=None, kind=None):
    qs = ReturnedLine.objects.filter(item__returned_on__range=(START, TODAY))
    if cashier is not None:
        qs = qs.filter(payment__transaction__created_by=cashier)
    if kind is not None:
        qs = [
            line
            for line in qs
            if (line.item.tender.kind if line.item.tender else line.payment.tender_kind) == kind
        ]
        return len(qs), sum((line.amount for line in qs), Decimal("0.00"))
    return qs.count(), qs.aggregate(s=Sum("amount"))["s"] or Decimal("0.00")


def test_returned_payments_per_tender_and_cashier_equal_the_returned_lines(cashiers):
    cam, dee = cashiers
    seed_returns(cashiers)
    rollup(START - timedelta(days=30), TODAY)
    table = periods("returns", start=START, end=TODAY, grain="week")
    assert (sum(column(table, "Returned payments")), sum(column(table, "Returned ($)"))) == direct_returns()
    assert direct_returns() == (5, Decimal("205.50"))
    for label, kind in (("Checks", "check"), ("Lockbox", "lockbox"), ("Electronic", "electronic")):
        assert sum(column(table, label)) == direct_returns(kind=kind)[0], label
    per = breakdown("returns", start=START, end=TODAY)
    for user, name in ((cam, "Cam Diaz"), (dee, "dee")):
        want = direct_returns(cashier=user)
        assert (cell(per, name, "Returned payments").value, cell(per, name, "Returned ($)").value) == want
    by_tender = breakdown("returns-by-tender", start=START, end=TODAY)
    assert [r.label for r in by_tender.rows] == ["Check", "Electronic (IVR / web)", "Lockbox"]
    for kind, label in (("check", "Check"), ("lockbox", "Lockbox"), ("electronic", "Electronic (IVR / web)")):
        want = direct_returns(kind=kind)
        got = (
            cell(by_tender, label, "Returned payments").value,
            cell(by_tender, label, "Returned ($)").value,
        )
        assert got == want, kind
    only_dee = periods("returns", start=START, end=TODAY, employee=str(dee.pk))
    assert sum(column(only_dee, "Returned payments")) == direct_returns(cashier=dee)[0] == 2


def test_returned_drill_down_lists_exactly_the_lines_counted(client, make_user, cashiers):
    seed_returns(cashiers)
    rollup(START - timedelta(days=30), TODAY)
    client.force_login(make_user("sup", "Supervisor"))
    page = client.get(
        reverse("reports:dashboard", args=["returns-by-tender"]), {"start": START, "end": TODAY}
    )
    per = page.context["breakdown"]
    check_row = next(r for r in per["rows"] if r["label"] == "Check")
    drilled = client.get(check_row["cells"][0]["href"])
    want = ReturnedLine.objects.filter(item__tender__kind="check", item__returned_on__range=(START, TODAY))
    receipts = [line.payment.transaction.receipt_number for line in want.order_by("pk")]
    assert [r[0]["text"] for r in drilled.context["rows"]] == receipts
    assert drilled.context["rows"][0][0]["href"] == reverse("payments:receipt", args=[receipts[0]])
    page = client.get(reverse("reports:dashboard", args=["returns"]), {"start": START, "end": TODAY})
    for table in (page.context["periods"], page.context["breakdown"]):
        for row in table["rows"]:
            for i, label in enumerate(table["columns"]):
                if label in ("Returned payments", "Checks", "Lockbox", "Electronic"):
                    c = row["cells"][i]
                    csv = client.get(c["href"].replace("/drill/?", "/drill.csv?"))
                    lines = b"".join(csv.streaming_content).decode().splitlines()
                    assert len(lines) - 1 == int(c["text"].replace(",", "")), (row["label"], label)


def close(session, cashier, *, delta, on):
    """Close with a blind count `delta` off the expected cash (the float: no payments taken)."""
    expected = int(session.opening_float * 100) + int(Decimal(delta) * 100)
    session_close(
        session_id=session.pk,
        cashier=cashier,
        denominations={"coin_0.01": expected},
        checks_total=Decimal("0"),
        check_count=0,
        cards_total=Decimal("0"),
        other_total=Decimal("0"),
    )
    at = timezone.make_aware(datetime.combine(on, time(23, 30)))  # late evening: the local day
    DrawerSession.objects.filter(pk=session.pk).update(closed_at=at)
    return DrawerSession.objects.get(pk=session.pk)


def seed_drawers(cashiers, n=1):
    cam, dee = cashiers
    limit = Decimal(current_policy()[0].param("cashiering.over_short_signoff"))
    for _ in range(n):
        close(open_session(cam, "D1"), cam, delta="2.00", on=START + timedelta(days=1))
        close(open_session(cam, "D2"), cam, delta=str(-(limit + 1)), on=START + timedelta(days=4))
        close(open_session(dee, "D1"), dee, delta="-1.00", on=START + timedelta(days=7))  # within it
        close(open_session(dee, "D2"), dee, delta=str(-(limit + 3)), on=TODAY)
        close(open_session(dee, "D1"), dee, delta="0.00", on=START + timedelta(days=8))
        close(open_session(cam, "D1"), cam, delta="-9.00", on=START - timedelta(days=1))  # before
    open_session(cam, "D3")  # still open: not counted


def direct_drawers(**where):
    limit = Decimal(current_policy()[0].param("cashiering.over_short_signoff"))
    qs = [
        s
        for s in DrawerSession.objects.exclude(status="open").filter(**where)
        if START <= timezone.localdate(s.closed_at) <= TODAY
    ]
    over = [s.over_short for s in qs if s.over_short > 0]
    short = [-s.over_short for s in qs if s.over_short < 0]
    return {
        "Drawers closed": len(qs),
        "Over": len(over),
        "Over ($)": sum(over, Decimal("0.00")),
        "Short": len(short),
        "Short ($)": sum(short, Decimal("0.00")),
        "Short beyond tolerance": len([x for x in short if x > limit]),
    }


def test_over_and_short_per_cashier_and_drawer_equal_the_sessions(cashiers):
    cam, dee = cashiers
    seed_drawers(cashiers)
    rollup(START - timedelta(days=30), TODAY)
    table = periods("drawers", start=START, end=TODAY, grain="week")
    got = {label: sum(column(table, label)) for label in direct_drawers()}
    assert got == direct_drawers()
    assert (got["Drawers closed"], got["Over"], got["Short"], got["Short beyond tolerance"]) == (5, 1, 3, 2)
    # the close's sign-off decision is what "beyond" counts: it read the policy's tolerance
    assert DrawerSession.objects.filter(status=SessionStatus.PENDING_SIGNOFF, over_short__lt=0).count() == 3
    per = breakdown("drawers", start=START, end=TODAY)
    for user, name in ((cam, "Cam Diaz"), (dee, "dee")):
        want = direct_drawers(cashier=user)
        assert {label: cell(per, name, label).value for label in want} == want, name
    by_drawer = breakdown("drawers-by-drawer", start=START, end=TODAY)
    assert [r.label for r in by_drawer.rows] == ["D1 Test D1", "D2 Test D2"]
    for code in ("D1", "D2"):
        want = direct_drawers(drawer__code=code)
        assert {label: cell(by_drawer, f"{code} Test {code}", label).value for label in want} == want
    # a drawer has no account: an account filter shows none of it, on the roll-up and the records
    assert sum(column(periods("drawers", start=START, end=TODAY, utility="water"), "Drawers closed")) == 0


def test_drawer_drill_down_and_idempotent_rollup(client, make_user, cashiers):
    seed_drawers(cashiers)
    rollup(START - timedelta(days=30), TODAY)
    before = sorted(DailyFigure.objects.values_list("day", "metric", "key", "employee", "count", "amount"))
    rollup(START - timedelta(days=30), TODAY)
    assert (
        sorted(DailyFigure.objects.values_list("day", "metric", "key", "employee", "count", "amount"))
        == before
    )
    client.force_login(make_user("sup", "Supervisor"))
    page = client.get(
        reverse("reports:dashboard", args=["drawers-by-drawer"]), {"start": START, "end": TODAY}
    )
    per = page.context["breakdown"]
    d2 = next(r for r in per["rows"] if r["label"] == "D2 Test D2")
    drilled = client.get(d2["cells"][per["columns"].index("Short beyond tolerance")]["href"])
    want = DrawerSession.objects.filter(drawer__code="D2", status=SessionStatus.PENDING_SIGNOFF).order_by(
        "pk"
    )
    assert [r[0]["text"] for r in drilled.context["rows"]] == [f"#{s.pk}" for s in want]
    assert drilled.context["rows"][0][0]["href"] == reverse("payments:session_report", args=[want[0].pk])
    filtered = client.get(d2["cells"][0]["href"] + "&" + urlencode({"utility": "water"}))
    assert filtered.context["rows"] == []
    table = page.context["periods"]
    for row in table["rows"]:
        for label in ("Drawers closed", "Over", "Short", "Short beyond tolerance"):
            c = row["cells"][table["columns"].index(label)]
            csv = client.get(c["href"].replace("/drill/?", "/drill.csv?"))
            lines = b"".join(csv.streaming_content).decode().splitlines()
            assert len(lines) - 1 == int(c["text"].replace(",", "")), (row["label"], label)


@pytest.mark.parametrize("n", [1, 3])
def test_queries_do_not_grow_with_rows(client, make_user, cashiers, n, django_assert_max_num_queries):
    seed_returns(cashiers, n)
    seed_drawers(cashiers, n)
    rollup(START - timedelta(days=30), TODAY)
    client.force_login(make_user("sup", "Supervisor"))
    params = {"start": START, "end": TODAY, "grain": "day"}
    for slug in ("returns", "returns-by-tender", "drawers", "drawers-by-drawer"):
        with django_assert_max_num_queries(10):
            assert client.get(reverse("reports:dashboard", args=[slug]), params).status_code == 200
    for metric, rows in (("returns", 5 * n), ("drawers.closed", 5 * n)):
        drill = {**params, "metric": metric, "key": "", "from": START, "to": TODAY}
        slug = "returns" if metric == "returns" else "drawers"
        with django_assert_max_num_queries(9):
            response = client.get(reverse("reports:drill", args=[slug]) + "?" + urlencode(drill))
        assert len(response.context["rows"]) == rows
