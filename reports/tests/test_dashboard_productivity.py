"""Productivity equals the base records: counter payments per closed drawer-hour per cashier, and
interviews, arrangements and contacts per counselor; every number drills into exactly its
records; constant queries."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Contact, ReasonCode
from accounts.tests.factories import AccountFactory
from counseling.models import Arrangement, HardshipInterview
from counseling.tests.factories import interview
from payments.models import DrawerSession, Payment
from payments.services.sessions import session_close
from payments.tests.factories import cash, open_session, post
from reports.tests.dash import breakdown, cell, column, periods, rollup
from reports.tests.test_dashboard_arrangements import arrangement

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
START = TODAY - timedelta(days=20)


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def shift(cashier, code, *, day, hours, payments, close=True):
    """A drawer session on `day`, `hours` long, that took `payments` cash payments."""
    session = open_session(cashier, code)
    for _ in range(payments):
        post(session, cashier, (AccountFactory(), "10.00"), tenders=[cash("10.00")])
    if close:
        session_close(
            session_id=session.pk,
            cashier=cashier,
            denominations={"coin_0.01": 10000 + 1000 * payments},
            checks_total=Decimal("0"),
            check_count=0,
            cards_total=Decimal("0"),
            other_total=Decimal("0"),
        )
        opened = at(day, 8)
        DrawerSession.objects.filter(pk=session.pk).update(
            business_date=day, opened_at=opened, closed_at=opened + timedelta(hours=float(hours))
        )
    Payment.objects.filter(transaction__session=session).update(business_date=day)
    return session


def contact(user, day):
    c = Contact.objects.create(
        account=AccountFactory(),
        channel="call",
        reason=ReasonCode.objects.filter(kind="contact")[0],
        outcome="resolved",
        created_by=user,
    )
    Contact.objects.filter(pk=c.pk).update(created_at=at(day, 23, 30))


def talk(counselor, day):
    i = interview(AccountFactory(), counselor)
    HardshipInterview.objects.filter(pk=i.pk).update(conducted_at=at(day, 23, 30))


@pytest.fixture
def staff(make_user):
    return (
        make_user("cam", "Cashier", first_name="Cam", last_name="Diaz"),
        make_user("ana", "Counselor", first_name="Ana", last_name="Ruiz"),
    )


def seed(staff, n=1):
    cam, ana = staff
    for _ in range(n):
        shift(cam, "P1", day=START + timedelta(days=2), hours=Decimal("7.5"), payments=3)
        shift(cam, "P1", day=START + timedelta(days=9), hours=Decimal("4.25"), payments=2)
        shift(ana, "P2", day=START + timedelta(days=9), hours=Decimal("1"), payments=1)
        shift(cam, "P1", day=START - timedelta(days=3), hours=Decimal("8"), payments=1)  # before
        talk(ana, START + timedelta(days=1))
        talk(ana, TODAY)
        talk(cam, START - timedelta(days=1))  # before
        arrangement(ana, created=START + timedelta(days=4))
        contact(ana, START + timedelta(days=5))
        contact(cam, START + timedelta(days=6))
    shift(cam, "P3", day=TODAY, hours=Decimal("2"), payments=2, close=False)  # still open: not yet


def direct(user=None) -> dict:
    sessions = DrawerSession.objects.exclude(status="open").filter(business_date__range=(START, TODAY))
    payments = Payment.objects.filter(transaction__session__in=sessions, business_date__range=(START, TODAY))
    interviews = HardshipInterview.objects.filter(conducted_at__date__range=(START, TODAY))
    arrangements = Arrangement.objects.filter(created_at__date__range=(START, TODAY))
    contacts = Contact.objects.filter(created_at__date__range=(START, TODAY))
    if user is not None:
        sessions, payments = sessions.filter(cashier=user), payments.filter(transaction__created_by=user)
        interviews, arrangements = interviews.filter(counselor=user), arrangements.filter(counselor=user)
        contacts = contacts.filter(created_by=user)
    hours = sum(
        (Decimal(str(round((s.closed_at - s.opened_at).total_seconds() / 3600, 2))) for s in sessions),
        Decimal("0"),
    )
    per_hour = (Decimal(payments.count()) / hours).quantize(Decimal("0.1")) if hours else None
    return {
        "Counter payments": payments.count(),
        "Drawer hours": hours,
        "Interviews": interviews.count(),
        "Arrangements": arrangements.count(),
        "Contacts": contacts.count(),
        "Payments per drawer-hour": per_hour,
    }


def test_figures_per_period_and_per_employee_equal_the_records(staff):
    cam, ana = staff
    seed(staff)
    rollup(START - timedelta(days=10), TODAY)
    table = periods("productivity", start=START, end=TODAY, grain="month")
    got = {label: sum(column(table, label)) for label in list(direct())[:5]}
    got["Payments per drawer-hour"] = (Decimal(got["Counter payments"]) / got["Drawer hours"]).quantize(
        Decimal("0.1")
    )
    assert got == direct()
    assert (got["Counter payments"], got["Drawer hours"], got["Interviews"]) == (6, Decimal("12.75"), 2)
    per = breakdown("productivity", start=START, end=TODAY)
    for user, name in ((cam, "Cam Diaz"), (ana, "Ana Ruiz")):
        want = direct(user)
        assert {label: cell(per, name, label).value for label in want} == want, name
    assert cell(per, "Cam Diaz", "Payments per drawer-hour").value == Decimal("0.4")  # 5 / 11.75


def test_each_number_drills_into_exactly_its_records(client, make_user, staff):
    cam, ana = staff
    seed(staff)
    rollup(START - timedelta(days=10), TODAY)
    client.force_login(make_user("sup", "Supervisor"))
    page = client.get(reverse("reports:dashboard", args=["productivity"]), {"start": START, "end": TODAY})
    per = page.context["breakdown"]
    cam_row = next(r for r in per["rows"] if r["label"] == "Cam Diaz")
    drilled = client.get(cam_row["cells"][per["columns"].index("Counter payments")]["href"])
    want = Payment.objects.filter(
        transaction__created_by=cam,
        business_date__range=(START, TODAY),
        transaction__session__status__in=["closed", "pending_signoff"],
    ).order_by("pk")
    assert [r[0]["text"] for r in drilled.context["rows"]] == [p.transaction.receipt_number for p in want]
    ana_row = next(r for r in per["rows"] if r["label"] == "Ana Ruiz")
    drilled = client.get(ana_row["cells"][per["columns"].index("Interviews")]["href"])
    interviews = HardshipInterview.objects.filter(counselor=ana, conducted_at__date__range=(START, TODAY))
    assert [r[0]["text"] for r in drilled.context["rows"]] == [f"#{i.pk}" for i in interviews.order_by("pk")]
    assert drilled.context["rows"][0][0]["href"] == reverse("counseling:interview", args=[interviews[0].pk])
    for table in (page.context["periods"], per):
        for row in table["rows"]:
            for label in ("Counter payments", "Interviews", "Arrangements", "Contacts"):
                c = row["cells"][table["columns"].index(label)]
                if c["href"] is None:
                    continue
                csv = client.get(c["href"].replace("/drill/?", "/drill.csv?"))
                lines = b"".join(csv.streaming_content).decode().splitlines()
                assert len(lines) - 1 == int(c["text"].replace(",", "")), (row["label"], label)


@pytest.mark.parametrize("n", [1, 3])
def test_queries_do_not_grow_with_rows(client, make_user, staff, n, django_assert_max_num_queries):
    seed(staff, n)
    rollup(START - timedelta(days=10), TODAY)
    client.force_login(make_user("sup", "Supervisor"))
    params = {"start": START, "end": TODAY, "grain": "day"}
    with django_assert_max_num_queries(10):
        assert client.get(reverse("reports:dashboard", args=["productivity"]), params).status_code == 200
    for metric, rows in (
        ("productivity.payments", 6 * n),
        ("productivity.hours", 3 * n),
        ("productivity.interviews", 2 * n),
        ("productivity.contacts", 2 * n),
    ):
        drill = {**params, "metric": metric, "key": "", "from": START, "to": TODAY}
        with django_assert_max_num_queries(9):
            response = client.get(reverse("reports:drill", args=["productivity"]) + "?" + urlencode(drill))
        assert len(response.context["rows"]) == rows, metric
