"""Contacts (the call reports): accounts.Contact by outcome, by employee (who logged it) and by
reason, on the local day it was logged; and escalations open with their age.

An escalation is a contact logged with `escalated` set (the counselors' escalations queue,
/counseling/escalations/): open until its follow-up is marked done. "Escalated" is also one of
the outcomes; the queue, and so this dashboard, reads the flag. Open escalations are a snapshot
(the period's last day, like aging): age is the days from the day the contact was logged to that
day; their employee is the one the follow-up is assigned to (contact_log always assigns one).
"""

from collections.abc import Iterable
from datetime import date, timedelta

from django.db.models import Q, QuerySet

from accounts.models import Contact, ContactOutcome, ReasonCode
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

LOGGED_DAY = "(c.created_at AT TIME ZONE %(tz)s)::date"
LOGGED_IN_RANGE = """c.created_at >= %(first)s::timestamp AT TIME ZONE %(tz)s
  AND c.created_at < (%(last)s::date + 1)::timestamp AT TIME ZONE %(tz)s"""

OUTCOME_SQL = f"""
SELECT {LOGGED_DAY}, c.outcome, c.account_id, c.created_by_id, 1, 0
FROM accounts_contact c WHERE {LOGGED_IN_RANGE}
"""  # noqa: S608 (fixed fragments)
REASON_SQL = f"""
SELECT {LOGGED_DAY}, c.reason_id::text, c.account_id, c.created_by_id, 1, 0
FROM accounts_contact c WHERE {LOGGED_IN_RANGE}
"""  # noqa: S608 (fixed fragments)

# age buckets in days: (key, label, youngest, oldest or None)
AGES = (
    ("0-2", "0-2 days", 0, 2),
    ("3-7", "3-7 days", 3, 7),
    ("8-14", "8-14 days", 8, 14),
    ("15+", "15+ days", 15, None),
)
_CASE = " ".join(f"WHEN x.age <= {hi} THEN '{key}'" for key, _, _, hi in AGES if hi is not None)
# amount: the escalation's age in days (their sum; the dashboard divides by the count)
ESCALATIONS_SQL = f"""
SELECT %(as_of)s::date, CASE {_CASE} ELSE '{AGES[-1][0]}' END, x.account_id, x.assigned_to_id, 1, x.age
FROM (SELECT c.account_id, c.assigned_to_id, %(as_of)s::date - {LOGGED_DAY} AS age
      FROM accounts_contact c
      WHERE c.escalated AND {LOGGED_DAY} <= %(as_of)s
        AND (c.follow_up_done_at IS NULL OR (c.follow_up_done_at AT TIME ZONE %(tz)s)::date > %(as_of)s)) x
"""  # noqa: S608 (fixed fragments: bucket bounds, no input)


def _contacts() -> QuerySet:
    return Contact.objects.select_related("account__customer", "reason", "created_by", "assigned_to")


def outcome_records(*, key: str, start: date, end: date) -> QuerySet:
    qs = _contacts().filter(created_at__date__range=(start, end))
    return qs.filter(outcome=key) if key else qs


def reason_records(*, key: str, start: date, end: date) -> QuerySet:
    qs = _contacts().filter(created_at__date__range=(start, end))
    if key:
        return qs.filter(reason_id=int(key)) if key.isdigit() else qs.none()
    return qs


def escalation_records(*, key: str, start: date, end: date) -> QuerySet:
    """Open at the end of `end` (a snapshot: start is end), logged `key` days before it."""
    qs = _contacts().filter(escalated=True, created_at__date__lte=end)
    qs = qs.filter(Q(follow_up_done_at__isnull=True) | Q(follow_up_done_at__date__gt=end))
    if not key:
        return qs
    bucket = next((a for a in AGES if a[0] == key), None)
    if bucket is None:
        return qs.none()
    _, _, lo, hi = bucket
    qs = qs.filter(created_at__date__lte=end - timedelta(days=lo))
    return qs if hi is None else qs.filter(created_at__date__gte=end - timedelta(days=hi))


def _who(user: object) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()  # type: ignore[attr-defined]


COLUMNS = (
    Column("Account", lambda c: c.account.number, lambda c: account_link(c.account)),
    Column("Customer", lambda c: str(c.account.customer)),
    Column("Logged", lambda c: c.created_at),
    Column("By", lambda c: _who(c.created_by)),
    Column("Channel", lambda c: c.get_channel_display()),
    Column("Direction", lambda c: "inbound" if c.inbound else "outbound"),
    Column("Reason", lambda c: c.reason.label),
    Column("Outcome", lambda c: c.get_outcome_display()),
    Column("Escalated", lambda c: "yes" if c.escalated else ""),
    Column("Follow-up", lambda c: c.follow_up_on or ""),
    Column("Assigned to", lambda c: _who(c.assigned_to)),
    Column("Follow-up done", lambda c: c.follow_up_done_at or ""),
)

register_metric(
    RollupMetric(
        name="contacts.outcome",
        facts_sql=OUTCOME_SQL,
        records=outcome_records,
        employee_path="created_by",
        columns=COLUMNS,
    )
)
register_metric(
    RollupMetric(
        name="contacts.reason",
        facts_sql=REASON_SQL,
        records=reason_records,
        employee_path="created_by",
        columns=COLUMNS,
    )
)
register_metric(
    RollupMetric(
        name="contacts.escalations",
        facts_sql=ESCALATIONS_SQL,
        records=escalation_records,
        employee_path="assigned_to",
        per_day=True,
        columns=COLUMNS,
    )
)

OUTCOMES = tuple(Series("contacts.outcome", o.value, o.label) for o in ContactOutcome)
AVG_AGE = Ratio(
    "Average age of open escalations (days)",
    "Escalation age (days, total)",
    ("Open escalations",),
    percent=False,
)

register_dashboard(
    Dashboard(
        slug="contacts",
        title="Contacts and escalations",
        description="Contacts logged, by outcome and by employee (the call reports), and the "
        "escalations open at the end of each period by age (escalated contacts whose follow-up is "
        "not done; an employee filter selects whose follow-up they are).",
        series=(
            Series("contacts.outcome", None, "Contacts"),
            *OUTCOMES,
            Series("contacts.escalations", None, "Open escalations", stock=True),
            *(Series("contacts.escalations", key, f"Open {label}", stock=True) for key, label, _, _ in AGES),
            Series("contacts.escalations", None, "Escalation age (days, total)", "total", stock=True),
        ),
        ratios=(AVG_AGE,),
        breakdown=Breakdown(
            by="employee",
            title="Per employee",
            row_label="Employee",
            columns=("Contacts", *(s.label for s in OUTCOMES)),
        ),
        chart=(
            ("Contacts", "bar"),
            ("Open escalations", "line"),
        ),
    )
)


def reason_names(keys: Iterable[str]) -> dict[str, str]:
    ids = [int(k) for k in keys if k.isdigit()]
    return {str(pk): label for pk, label in ReasonCode.objects.filter(pk__in=ids).values_list("pk", "label")}


register_dashboard(
    Dashboard(
        slug="contact-reasons",
        title="Contacts by reason",
        description="Contacts logged per period, and per contact reason over the whole range.",
        series=(Series("contacts.reason", None, "Contacts"),),
        breakdown=Breakdown(
            by="key", title="Per reason", row_label="Reason", columns=("Contacts",), names=reason_names
        ),
        chart=(("Contacts", "bar"),),
    )
)
