"""Returned items (NSF): the payments the bank returned, by the tender that bounced and by the
cashier who took it, on the day the return was recorded (ReturnedItem.returned_on).

One fact per returned payment (ReturnedLine: what one return took back from one account's
payment), so a check that paid three accounts counts three returned payments, each on its
account's dimensions. Its tender is the returned tender's kind (the payment's main tender for the
few returns recorded before returns belonged to a tender).
"""

from collections.abc import Iterable
from datetime import date

from django.db.models import Q, QuerySet
from django.urls import reverse

from payments.models import ReturnedLine, TenderKind
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

FACTS_SQL = """
SELECT i.returned_on, COALESCE(t.kind, p.tender_kind), p.account_id, ct.created_by_id, 1, l.amount
FROM payments_returnedline l
JOIN payments_returneditem i ON i.id = l.item_id
LEFT JOIN payments_tender t ON t.id = i.tender_id
JOIN payments_payment p ON p.id = l.payment_id
JOIN payments_countertransaction ct ON ct.id = p.transaction_id
WHERE i.returned_on BETWEEN %(first)s AND %(last)s
"""


def records(*, key: str, start: date, end: date) -> QuerySet:
    qs = ReturnedLine.objects.select_related(
        "item__tender", "payment__account__customer", "payment__transaction__created_by"
    ).filter(item__returned_on__range=(start, end))
    if key:
        qs = qs.filter(Q(item__tender__kind=key) | Q(item__tender__isnull=True, payment__tender_kind=key))
    return qs


def who(user: object) -> str:
    return user.get_full_name() or user.get_username()  # type: ignore[attr-defined]


def _kind(line: ReturnedLine) -> str:
    kind = line.item.tender.kind if line.item.tender else line.payment.tender_kind
    return TenderKind(kind).label if kind in TenderKind.values else kind


register_metric(
    RollupMetric(
        name="returns",
        facts_sql=FACTS_SQL,
        records=records,
        account_path="payment__account",
        employee_path="payment__transaction__created_by",
        columns=(
            Column(
                "Receipt",
                lambda r: r.payment.transaction.receipt_number,
                lambda r: reverse("payments:receipt", args=[r.payment.transaction.receipt_number]),
            ),
            Column("Account", lambda r: r.payment.account.number, lambda r: account_link(r.payment.account)),
            Column("Customer", lambda r: str(r.payment.account.customer)),
            Column("Tender", _kind),
            Column("Cashier", lambda r: who(r.payment.transaction.created_by)),
            Column("Returned on", lambda r: r.item.returned_on),
            Column("Reason", lambda r: r.item.reason),
            Column("Returned", lambda r: r.amount, money=True),
        ),
    )
)


def tender_names(keys: Iterable[str]) -> dict[str, str]:
    return {k: TenderKind(k).label if k in TenderKind.values else k for k in keys}


SERIES = (
    Series("returns", None, "Returned payments"),
    Series("returns", None, "Returned ($)", "amount"),
    Series("returns", TenderKind.CHECK, "Checks"),
    Series("returns", TenderKind.LOCKBOX, "Lockbox"),
    Series("returns", TenderKind.ELECTRONIC, "Electronic"),
)
DESCRIPTION = (
    "Payments the bank returned (NSF, closed account, stop payment), on the day the return was "
    "recorded: a check that paid several accounts counts once per account."
)

register_dashboard(
    Dashboard(
        slug="returns",
        title="Returned items by cashier",
        description=DESCRIPTION + " Per cashier: who took the returned tender.",
        series=SERIES,
        breakdown=Breakdown(
            by="employee",
            title="Per cashier",
            row_label="Cashier",
            columns=("Returned payments", "Returned ($)"),
        ),
        chart=(("Returned payments", "bar"),),
    )
)
register_dashboard(
    Dashboard(
        slug="returns-by-tender",
        title="Returned items by tender",
        description=DESCRIPTION + " Per tender: the kind of tender returned.",
        series=SERIES,
        breakdown=Breakdown(
            by="key",
            title="Per tender",
            row_label="Tender",
            columns=("Returned payments", "Returned ($)"),
            names=tender_names,
        ),
        chart=(("Checks", "bar"), ("Lockbox", "bar"), ("Electronic", "bar")),
    )
)
