"""Productivity: payments per drawer-hour per cashier, and interviews, arrangements and contacts
per counselor.

- Counter payments: payments taken in a drawer session that has closed, on their business date,
  by the cashier who took them (lockbox, agency and electronic payments have no drawer).
- Drawer hours: opened_at to closed_at of each closed session, on its business date, per cashier.
  Both count only closed sessions, so a day's ratio never divides the payments of a drawer still
  open by hours not yet known; a drawer shows when it closes (the 15-minute refresh recomputes
  today; the nightly run the last days).
- Interviews (HardshipInterview, conducted_at), arrangements created (the arrangements metric)
  and contacts logged (accounts.Contact, created_at, by its author), per employee.
"""

from datetime import date

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import Contact
from counseling.models import HardshipInterview
from payments.models import DrawerSession, Payment, SessionStatus
from reports.dashboards.base import (
    Breakdown,
    Column,
    Dashboard,
    Ratio,
    RollupMetric,
    Series,
    account_link,
    register_dashboard,
    register_metric,
)
from reports.dashboards.drawers import COLUMNS as SESSION_COLUMNS
from reports.dashboards.returns import who

PAYMENTS_SQL = """
SELECT p.business_date, '', p.account_id, ct.created_by_id, 1, p.amount
FROM payments_payment p
JOIN payments_countertransaction ct ON ct.id = p.transaction_id
JOIN payments_drawersession s ON s.id = ct.session_id
WHERE s.status <> 'open' AND p.business_date BETWEEN %(first)s AND %(last)s
"""
HOURS = "ROUND(EXTRACT(EPOCH FROM (s.closed_at - s.opened_at)) / 3600, 2)"
HOURS_SQL = f"""
SELECT s.business_date, '', NULL::integer, s.cashier_id, 1, {HOURS}
FROM payments_drawersession s
WHERE s.status <> 'open' AND s.closed_at IS NOT NULL AND s.business_date BETWEEN %(first)s AND %(last)s
"""  # noqa: S608 (fixed fragments)
INTERVIEWS_SQL = """
SELECT (i.conducted_at AT TIME ZONE %(tz)s)::date, '', i.account_id, i.counselor_id, 1, 0
FROM counseling_hardshipinterview i
WHERE i.conducted_at >= %(first)s::timestamp AT TIME ZONE %(tz)s
  AND i.conducted_at < (%(last)s::date + 1)::timestamp AT TIME ZONE %(tz)s
"""
CONTACTS_SQL = """
SELECT (c.created_at AT TIME ZONE %(tz)s)::date, c.channel, c.account_id, c.created_by_id, 1, 0
FROM accounts_contact c
WHERE c.created_at >= %(first)s::timestamp AT TIME ZONE %(tz)s
  AND c.created_at < (%(last)s::date + 1)::timestamp AT TIME ZONE %(tz)s
"""


def counter_payments(*, key: str, start: date, end: date) -> QuerySet:
    qs = Payment.objects.select_related("transaction__created_by", "account__customer").filter(
        transaction__session__isnull=False, business_date__range=(start, end)
    )
    return qs.exclude(transaction__session__status=SessionStatus.OPEN) if not key else qs.none()


def drawer_hours(*, key: str, start: date, end: date) -> QuerySet:
    qs = DrawerSession.objects.select_related("drawer", "cashier").exclude(status=SessionStatus.OPEN)
    qs = qs.filter(closed_at__isnull=False, business_date__range=(start, end))
    return qs.none() if key else qs


def interviews(*, key: str, start: date, end: date) -> QuerySet:
    qs = HardshipInterview.objects.select_related("account__customer", "counselor")
    return qs.none() if key else qs.filter(conducted_at__date__range=(start, end))  # local dates


def contacts(*, key: str, start: date, end: date) -> QuerySet:
    qs = Contact.objects.select_related("account__customer", "created_by").filter(
        created_at__date__range=(start, end)
    )
    return qs.filter(channel=key) if key else qs


def _hours(s: DrawerSession) -> str:
    return f"{(s.closed_at - s.opened_at).total_seconds() / 3600:.2f}"


ACCOUNT = (
    Column("Account", lambda r: r.account.number, lambda r: account_link(r.account)),
    Column("Customer", lambda r: str(r.account.customer)),
)
register_metric(
    RollupMetric(
        name="productivity.payments",
        facts_sql=PAYMENTS_SQL,
        records=counter_payments,
        employee_path="transaction__created_by",
        columns=(
            Column(
                "Receipt",
                lambda p: p.transaction.receipt_number,
                lambda p: reverse("payments:receipt", args=[p.transaction.receipt_number]),
            ),
            *ACCOUNT,
            Column("Cashier", lambda p: who(p.transaction.created_by)),
            Column("Business date", lambda p: p.business_date),
            Column("Status", lambda p: p.get_status_display()),
            Column("Amount", lambda p: p.amount, money=True),
        ),
    )
)
register_metric(
    RollupMetric(
        name="productivity.hours",
        facts_sql=HOURS_SQL,
        records=drawer_hours,
        account_path=None,
        employee_path="cashier",
        columns=(*SESSION_COLUMNS[:5], Column("Hours open", _hours)),
    )
)
register_metric(
    RollupMetric(
        name="productivity.interviews",
        facts_sql=INTERVIEWS_SQL,
        records=interviews,
        employee_path="counselor",
        columns=(
            Column("Interview", lambda i: f"#{i.pk}", lambda i: reverse("counseling:interview", args=[i.pk])),
            *ACCOUNT,
            Column("Counselor", lambda i: who(i.counselor)),
            Column("Conducted", lambda i: timezone.localdate(i.conducted_at)),
            Column("Hardship", lambda i: i.get_hardship_reason_display()),
        ),
    )
)
register_metric(
    RollupMetric(
        name="productivity.contacts",
        facts_sql=CONTACTS_SQL,
        records=contacts,
        employee_path="created_by",
        columns=(
            Column("Contact", lambda c: f"#{c.pk}"),
            *ACCOUNT,
            Column("Logged by", lambda c: who(c.created_by)),
            Column("Logged", lambda c: timezone.localdate(c.created_at)),
            Column("Channel", lambda c: c.get_channel_display()),
            Column("Outcome", lambda c: c.get_outcome_display()),
        ),
    )
)

PER_HOUR = Ratio("Payments per drawer-hour", "Counter payments", ("Drawer hours",), percent=False)

register_dashboard(
    Dashboard(
        slug="productivity",
        title="Productivity",
        description="Payments taken per open drawer-hour (closed drawers only: their hours are known "
        "when they close), and hardship interviews, arrangements and contacts per employee.",
        series=(
            Series("productivity.payments", None, "Counter payments"),
            Series("productivity.hours", None, "Drawer hours", "total"),
            Series("productivity.interviews", None, "Interviews"),
            Series("arrangements", "created", "Arrangements"),
            Series("productivity.contacts", None, "Contacts"),
        ),
        ratios=(PER_HOUR,),
        breakdown=Breakdown(
            by="employee",
            title="Per employee",
            row_label="Employee",
            columns=("Counter payments", "Drawer hours", "Interviews", "Arrangements", "Contacts"),
            ratios=(PER_HOUR,),
        ),
        chart=(
            ("Interviews", "bar"),
            ("Arrangements", "bar"),
            ("Contacts", "bar"),
            ("Payments per drawer-hour", "line"),
        ),
    )
)
