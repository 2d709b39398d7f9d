"""The contacts dashboards equal counts taken directly from accounts.Contact: by outcome, by
employee, by reason, and the escalations open (escalated, follow-up not done) at the end of each
period with their age; each number's drill-down lists exactly those contacts."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Contact, ReasonCode
from accounts.tests.factories import AccountFactory
from reports.models import DailyFigure
from reports.tests.dash import breakdown, cell, column, periods, rollup

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
START = TODAY - timedelta(days=27)


def at(day, hour=23, minute=30):  # late evening: the local day, not UTC's
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def contact(by, day, outcome="resolved", *, reason=0, escalated=False, done=None, assigned=None):
    reasons = list(ReasonCode.objects.filter(kind="contact").order_by("pk"))
    c = Contact.objects.create(
        account=AccountFactory(),
        channel="call",
        reason=reasons[reason],
        outcome=outcome,
        escalated=escalated,
        follow_up_on=day + timedelta(days=3) if escalated else None,
        follow_up_done_at=done,
        assigned_to=assigned or (by if escalated else None),
        created_by=by,
    )
    Contact.objects.filter(pk=c.pk).update(created_at=at(day))
    return c


@pytest.fixture
def staff(make_user):
    return make_user("eva", "Counselor", first_name="Eva", last_name="Ng"), make_user("finn", "Counselor")


def seed(staff, n: int = 1) -> None:
    eva, finn = staff
    for i in range(n):
        contact(eva, START + timedelta(days=1 + i), "resolved")
        contact(eva, START + timedelta(days=2), "promise_to_pay", reason=1)
        contact(finn, START + timedelta(days=3), "no_answer", reason=1)
        contact(finn, START - timedelta(days=2), "resolved")  # before the range
        # escalations: open now (logged 1 and 20 days ago), one closed 5 days ago, one closed today
        contact(eva, TODAY - timedelta(days=1), "escalated", escalated=True)
        contact(finn, TODAY - timedelta(days=20), "escalated", reason=2, escalated=True, assigned=eva)
        contact(
            finn, START + timedelta(days=4), "callback", escalated=True, done=at(TODAY - timedelta(days=5))
        )
        contact(eva, TODAY - timedelta(days=10), "escalated", escalated=True, done=at(TODAY, 0, 30))


def open_on(day, employee=None):
    qs = Contact.objects.filter(escalated=True, created_at__date__lte=day).filter(
        Q(follow_up_done_at__isnull=True) | Q(follow_up_done_at__date__gt=day)
    )
    return qs if employee is None else qs.filter(assigned_to=employee)


def test_figures_equal_the_contacts(staff):
    eva, finn = staff
    seed(staff)
    rollup(START - timedelta(days=30), TODAY)
    logged = Contact.objects.filter(created_at__date__range=(START, TODAY))
    table = periods("contacts", start=START, end=TODAY, grain="week")
    assert sum(column(table, "Contacts")) == logged.count() == 7
    for outcome, label in (
        ("resolved", "Resolved"),
        ("escalated", "Escalated"),
        ("no_answer", "No answer / message left"),
    ):
        assert sum(column(table, label)) == logged.filter(outcome=outcome).count(), label
    # open escalations: each period's last day, from the contacts themselves
    for r in table.rows:
        last = min(datetime.fromisoformat(r.label.partition(" to ")[2]).date(), TODAY)
        want = open_on(last)
        assert cell(table, r.label, "Open escalations").value == want.count(), r.label
        ages = [(last - timezone.localtime(c.created_at).date()).days for c in want]
        assert cell(table, r.label, "Escalation age (days, total)").value == sum(ages)
        assert cell(table, r.label, "Open 15+ days").value == sum(a >= 15 for a in ages)
        assert cell(table, r.label, "Open 0-2 days").value == sum(a <= 2 for a in ages)
    last_row = table.rows[-1].label
    # today: the 1-day and 20-day ones (the one closed at 00:30 today is no longer open)
    assert cell(table, last_row, "Open escalations").value == 2
    assert cell(table, last_row, "Average age of open escalations (days)").value == Decimal("10.5")
    per = breakdown("contacts", start=START, end=TODAY)
    for user, name in ((eva, "Eva Ng"), (finn, "finn")):
        mine = logged.filter(created_by=user)
        assert cell(per, name, "Contacts").value == mine.count()
        assert cell(per, name, "Resolved").value == mine.filter(outcome="resolved").count()
    only_eva = periods("contacts", start=START, end=TODAY, grain="week", employee=str(eva.pk))
    assert (
        only_eva.rows[-1].cells[only_eva.columns.index("Open escalations")].value
        == open_on(TODAY, eva).count()
        == 2
    )
    reasons = breakdown("contact-reasons", start=START, end=TODAY)
    for code in ReasonCode.objects.filter(pk__in=logged.values("reason")):
        assert cell(reasons, code.label, "Contacts").value == logged.filter(reason=code).count(), code.label
    assert sum(column(periods("contact-reasons", start=START, end=TODAY), "Contacts")) == logged.count()


def test_each_number_drills_into_exactly_its_contacts(client, make_user, staff):
    seed(staff)
    rollup(START - timedelta(days=30), TODAY)
    client.force_login(make_user("sup", "Supervisor"))
    params = {"start": START, "end": TODAY, "grain": "week"}
    page = client.get(reverse("reports:dashboard", args=["contacts"]), params)
    table = page.context["periods"]
    labels = ("Contacts", "Resolved", "Escalated", "Open escalations", "Open 0-2 days", "Open 15+ days")
    for row in table["rows"]:
        for label in labels:
            c = row["cells"][table["columns"].index(label)]
            csv = client.get(c["href"].replace("/drill/?", "/drill.csv?"))
            lines = b"".join(csv.streaming_content).decode().splitlines()
            assert len(lines) - 1 == int(c["text"].replace(",", "")), (row["label"], label)
    # the reasons' table: each reason's link lists exactly its contacts
    reasons = client.get(reverse("reports:dashboard", args=["contact-reasons"]), params).context["breakdown"]
    logged = Contact.objects.filter(created_at__date__range=(START, TODAY))
    for row in reasons["rows"]:
        drilled = client.get(row["cells"][0]["href"])
        want = logged.filter(reason__label=row["label"]).order_by("pk")
        assert [r[0]["text"] for r in drilled.context["rows"]] == [c.account.number for c in want]


def test_the_roll_up_twice_changes_nothing(staff):
    seed(staff)
    rollup(START - timedelta(days=30), TODAY)
    fields = ("day", "metric", "key", "employee_id", "count", "amount")
    metrics = ("contacts.outcome", "contacts.reason", "contacts.escalations")
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
    # the bound for every dashboard, the open escalations (a snapshot read apart) included
    for slug in ("contacts", "contact-reasons"):
        with django_assert_max_num_queries(10):
            assert client.get(reverse("reports:dashboard", args=[slug]), params).status_code == 200
    drill = {**params, "metric": "contacts.outcome", "key": "", "from": START, "to": TODAY}
    with django_assert_max_num_queries(9):
        response = client.get(reverse("reports:drill", args=["contacts"]) + "?" + urlencode(drill))
    assert len(response.context["rows"]) == 7 * n
