"""Write-offs, recoveries and agency referrals (collections_app's recovery records).

- Written off: posted write-offs, on the day posted (posted_on), key the kind; the employee is
  who requested it (the small-balance batch has none).
- Recovered: money received on written-off accounts (WriteOffRecovery standing, not reversed by a
  returned payment), on the day recovered; no employee (a payment, not anyone's case work).
- Referred: accounts placed with a collection agency (referred_on), the principal; key the agency,
  employee who referred it (the batch run has none).
- Agency collected / commission: the agencies' remittance lines (what the customer paid the
  agency, and the agency's share kept out of it), on the day paid; key the agency.
"""

from collections.abc import Iterable
from datetime import date

from django.db.models import QuerySet
from django.urls import reverse

from collections_app.models.recovery import (
    AgencyReferral,
    AgencyRemittanceLine,
    CollectionAgency,
    WriteOff,
    WriteOffRecovery,
    WriteOffStatus,
)
from reports.dashboards.base import (
    Breakdown,
    Column,
    Dashboard,
    RollupMetric,
    Series,
    account_link,
    register_dashboard,
    register_metric,
)
from reports.dashboards.returns import who

WRITTEN_OFF_SQL = """
SELECT w.posted_on, w.kind, w.account_id, w.requested_by_id, 1, w.amount
FROM collections_app_writeoff w
WHERE w.status = 'posted' AND w.posted_on BETWEEN %(first)s AND %(last)s
"""
RECOVERED_SQL = """
SELECT r.recovered_on, '', w.account_id, NULL::integer, 1, r.amount
FROM collections_app_writeoffrecovery r JOIN collections_app_writeoff w ON w.id = r.write_off_id
WHERE NOT r.reversed AND r.recovered_on BETWEEN %(first)s AND %(last)s
"""
REFERRED_SQL = """
SELECT f.referred_on, f.agency_id::text, f.account_id, f.created_by_id, 1, f.principal
FROM collections_app_agencyreferral f
WHERE f.referred_on BETWEEN %(first)s AND %(last)s
"""
REMITTED_SQL = """
SELECT l.paid_on, f.agency_id::text, f.account_id, NULL::integer, 1, l.{amount}
FROM collections_app_agencyremittanceline l JOIN collections_app_agencyreferral f ON f.id = l.referral_id
WHERE l.paid_on BETWEEN %(first)s AND %(last)s
"""


def _by_agency(qs: QuerySet, key: str, path: str) -> QuerySet:
    if not key:
        return qs
    return qs.filter(**{path: int(key)}) if key.isdigit() else qs.none()


def written_off(*, key: str, start: date, end: date) -> QuerySet:
    qs = WriteOff.objects.select_related("account__customer", "requested_by").filter(
        status=WriteOffStatus.POSTED, posted_on__range=(start, end)
    )
    return qs.filter(kind=key) if key else qs


def recovered(*, key: str, start: date, end: date) -> QuerySet:
    qs = WriteOffRecovery.objects.select_related("write_off__account__customer", "payment__transaction")
    qs = qs.filter(reversed=False, recovered_on__range=(start, end))
    return qs.none() if key else qs  # its only key is ''


def referred(*, key: str, start: date, end: date) -> QuerySet:
    qs = AgencyReferral.objects.select_related("account__customer", "agency", "created_by")
    return _by_agency(qs.filter(referred_on__range=(start, end)), key, "agency_id")


def remitted(*, key: str, start: date, end: date) -> QuerySet:
    qs = AgencyRemittanceLine.objects.select_related("referral__account__customer", "referral__agency")
    return _by_agency(qs.filter(paid_on__range=(start, end)), key, "referral__agency_id")


def _account(path: str) -> tuple[Column, Column]:
    def get(record: object) -> object:
        for part in path.split("."):
            record = getattr(record, part)
        return record

    return (
        Column("Account", lambda r: get(r).number, lambda r: account_link(get(r))),
        Column("Customer", lambda r: str(get(r).customer)),
    )


def _referral_link(referral: AgencyReferral) -> str:
    return reverse("collections_app:referral", args=[referral.pk])


register_metric(
    RollupMetric(
        name="recovery.written_off",
        facts_sql=WRITTEN_OFF_SQL,
        records=written_off,
        employee_path="requested_by",
        columns=(
            Column("Write-off", lambda w: f"#{w.pk}"),
            *_account("account"),
            Column("Kind", lambda w: w.get_kind_display()),
            Column("Requested by", lambda w: who(w.requested_by) if w.requested_by else "(batch)"),
            Column("Posted on", lambda w: w.posted_on),
            Column("Written off", lambda w: w.amount, money=True),
            Column("Recovered to date", lambda w: w.recovered_amount, money=True),
        ),
    )
)
register_metric(
    RollupMetric(
        name="recovery.recovered",
        facts_sql=RECOVERED_SQL,
        records=recovered,
        account_path="write_off__account",
        columns=(
            Column(
                "Receipt",
                lambda r: r.payment.transaction.receipt_number,
                lambda r: reverse("payments:receipt", args=[r.payment.transaction.receipt_number]),
            ),
            *_account("write_off.account"),
            Column("Write-off", lambda r: f"#{r.write_off_id}"),
            Column("Recovered on", lambda r: r.recovered_on),
            Column("Recovered", lambda r: r.amount, money=True),
        ),
    )
)
register_metric(
    RollupMetric(
        name="recovery.referred",
        facts_sql=REFERRED_SQL,
        records=referred,
        employee_path="created_by",
        columns=(
            Column("Referral", lambda f: f"#{f.pk}", _referral_link),
            *_account("account"),
            Column("Agency", lambda f: f.agency.name),
            Column("Referred on", lambda f: f.referred_on),
            Column("Status", lambda f: f.get_status_display()),
            Column("Principal", lambda f: f.principal, money=True),
            Column("Collected to date", lambda f: f.collected_amount, money=True),
        ),
    )
)
REMITTANCE_COLUMNS = (
    Column("Referral", lambda r: f"#{r.referral_id}", lambda r: _referral_link(r.referral)),
    *_account("referral.account"),
    Column("Agency", lambda r: r.referral.agency.name),
    Column("Remittance line", lambda r: f"{r.remittance_id}:{r.line_number}"),
    Column("Paid on", lambda r: r.paid_on),
    Column("Collected", lambda r: r.amount, money=True),
    Column("Commission", lambda r: r.commission, money=True),
)
for name, amount in (("collected", "amount"), ("commission", "commission")):
    register_metric(
        RollupMetric(
            name=f"recovery.{name}",
            facts_sql=REMITTED_SQL.format(amount=amount),
            records=remitted,
            account_path="referral__account",
            columns=REMITTANCE_COLUMNS,
        )
    )


def agency_names(keys: Iterable[str]) -> dict[str, str]:
    ids = [int(k) for k in keys if k.isdigit()]
    return {
        str(pk): name for pk, name in CollectionAgency.objects.filter(pk__in=ids).values_list("pk", "name")
    }


register_dashboard(
    Dashboard(
        slug="recovery",
        title="Write-offs, recoveries and agencies",
        description="Write-offs posted and money recovered on written-off accounts; accounts referred "
        "to collection agencies, what the agencies collected and the commission they kept. The "
        "employee filter reads who requested a write-off or referred an account: recoveries and "
        "agency remittances are nobody's work and show none.",
        series=(
            Series("recovery.written_off", None, "Written off"),
            Series("recovery.written_off", None, "Written off ($)", "amount"),
            Series("recovery.recovered", None, "Recoveries"),
            Series("recovery.recovered", None, "Recovered ($)", "amount"),
            Series("recovery.referred", None, "Referred"),
            Series("recovery.referred", None, "Referred ($)", "amount"),
            Series("recovery.collected", None, "Agency collected ($)", "amount"),
            Series("recovery.commission", None, "Agency commission ($)", "amount"),
        ),
        breakdown=Breakdown(
            by="key",
            title="Per agency",
            row_label="Agency",
            columns=("Referred", "Referred ($)", "Agency collected ($)", "Agency commission ($)"),
            names=agency_names,
        ),
        chart=(("Written off ($)", "bar"), ("Recovered ($)", "bar"), ("Agency collected ($)", "bar")),
    )
)
