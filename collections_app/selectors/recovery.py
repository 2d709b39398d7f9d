"""Reads for write-offs, agency referrals, bankruptcies and small claims."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Max, OuterRef, QuerySet, Subquery, Sum

from accounts.models import Bill, EntryKind, LedgerEntry
from collections_app.models import (
    AgencyReferral,
    BankruptcyCase,
    BankruptcyStatus,
    ReferralStatus,
    SmallClaim,
    SmallClaimStatus,
    WriteOff,
    WriteOffStatus,
)
from common.money import to_money
from policy_engine.facts import AccountFacts, CollectionSteps

OPEN_CLAIM_STATUSES = (SmallClaimStatus.FILED, SmallClaimStatus.HEARING_SET, SmallClaimStatus.JUDGMENT)


def facts_for(account_id: int, *, as_of: date) -> AccountFacts:
    from collections_app.selectors.facts import facts_for_account

    return facts_for_account(account_id, as_of=as_of)


# The account's whole collection history (not the engine's dated window): a notice sent two years
# ago still shows the procedures were followed. Contact attempts count from the last one that
# reached the customer (a debtor reached since is not "not found").
COLLECTION_STEPS_SQL = """
SELECT
  (SELECT max(n.sent_on) FROM collections_app_notice n
    WHERE n.account_id = %(id)s AND n.kind IN ('shutoff', 'final', 'posted') AND NOT n.voided
      AND n.sent_on <= %(as_of)s),
  (SELECT max((o.completed_at AT TIME ZONE %(tz)s)::date) FROM collections_app_serviceorder o
    WHERE o.account_id = %(id)s AND o.kind IN ('disconnect', 'low_flow') AND o.status = 'completed'
      AND (o.completed_at AT TIME ZONE %(tz)s)::date <= %(as_of)s),
  (SELECT min(r.referred_on) FROM collections_app_agencyreferral r
    WHERE r.account_id = %(id)s AND r.referred_on <= %(as_of)s),
  (SELECT count(*) FROM collections_app_contactattempt c
    WHERE c.account_id = %(id)s AND NOT c.reached AND (c.at AT TIME ZONE %(tz)s)::date <= %(as_of)s
      AND c.at > COALESCE((SELECT max(k.at) FROM collections_app_contactattempt k
                           WHERE k.account_id = %(id)s AND k.reached
                             AND (k.at AT TIME ZONE %(tz)s)::date <= %(as_of)s), '-infinity')),
  (SELECT max(b.closed_on) FROM collections_app_bankruptcycase b
    WHERE b.account_id = %(id)s AND b.status = 'discharged' AND b.closed_on <= %(as_of)s)
"""


def collection_steps(*, account_id: int, as_of: date, deceased_document: str = "") -> CollectionSteps:
    """What the utility recorded doing to collect this account (one query): the evidence an
    uncollectible write-off's criterion needs. The death document comes with the request."""
    with connection.cursor() as cursor:
        cursor.execute(COLLECTION_STEPS_SQL, {"id": account_id, "as_of": as_of, "tz": settings.TIME_ZONE})
        notice, cut, referred, unreached, discharged = cursor.fetchone()
    return CollectionSteps(
        disconnection_notice_on=notice,
        disconnected_on=cut,
        referred_on=referred,
        unreached_contacts=unreached,
        bankruptcy_discharged_on=discharged,
        deceased_document=deceased_document,
    )


def balance_before(*, account_id: int, day: date) -> Decimal:
    """What the account owed at the start of `day`: the sum of entries effective before it."""
    total = LedgerEntry.objects.filter(account_id=account_id, effective_date__lt=day).aggregate(
        s=Sum("amount")
    )
    return to_money(total["s"] or 0)


def write_off_queue() -> list[WriteOff]:
    return list(
        WriteOff.objects.filter(status=WriteOffStatus.PENDING)
        .select_related("account", "account__customer", "requested_by")
        .order_by("requested_at", "id")
    )


def write_offs_recent(*, limit: int = 50) -> list[WriteOff]:
    return list(
        WriteOff.objects.exclude(status=WriteOffStatus.PENDING)
        .select_related("account", "decided_by", "requested_by")
        .order_by("-id")[:limit]
    )


def referrals(*, status: str = "") -> QuerySet[AgencyReferral]:
    qs = AgencyReferral.objects.select_related("account", "account__customer", "agency")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-referred_on", "-id")


# The referral file the agency receives. Documented in the referrals page and README; no
# identity-document numbers (the customer table holds only a type and last 4, and neither is sent).
REFERRAL_FILE_COLUMNS = [
    "referral_id",
    "agency",
    "referred_on",
    "account_number",
    "customer_name",
    "mail_line1",
    "mail_line2",
    "mail_city",
    "mail_state",
    "mail_postal_code",
    "phone",
    "service_address",
    "principal",
    "collection_fee",
    "interest",
    "balance",
    "last_payment_date",
    "final_bill_date",
]


def referral_file_referrals(
    *, referred_on: date | None = None, status: str = "referred"
) -> QuerySet[AgencyReferral]:
    """The referrals the file lists (what the export job counts and fingerprints)."""
    qs = referrals(status=status).select_related("account__premise")
    if referred_on is not None:
        qs = qs.filter(referred_on=referred_on)
    return qs


def referral_file_rows(*, referred_on: date | None = None, status: str = "referred") -> Iterator[list[Any]]:
    """The file's data rows, streamed (.iterator()): the open referrals grow with the city."""
    last_payment = (
        LedgerEntry.objects.filter(account_id=OuterRef("account_id"), kind=EntryKind.PAYMENT)
        .order_by()
        .values("account_id")
        .annotate(m=Max("effective_date"))
        .values("m")
    )
    final_bill = (
        Bill.objects.filter(account_id=OuterRef("account_id"), is_final=True)
        .order_by()
        .values("account_id")
        .annotate(m=Max("bill_date"))
        .values("m")
    )
    qs = referral_file_referrals(referred_on=referred_on, status=status)
    qs = qs.annotate(last_payment=Subquery(last_payment), final_bill=Subquery(final_bill))
    for r in qs.iterator(chunk_size=2000):
        c = r.account.customer
        final_bill = r.final_bill or r.account.final_bill_requested_on
        yield [
            r.pk,
            r.agency.name,
            r.referred_on.isoformat(),
            r.account.number,
            c.display_name,
            c.mail_line1,
            c.mail_line2,
            c.mail_city,
            c.mail_state,
            c.mail_postal_code,
            c.phone,
            str(r.account.premise),
            r.principal,
            r.fee_amount,
            r.interest_amount,
            r.account.balance,
            r.last_payment.isoformat() if r.last_payment else "",
            final_bill.isoformat() if final_bill else "",
        ]


def bankruptcies_open() -> list[BankruptcyCase]:
    return list(
        BankruptcyCase.objects.filter(status=BankruptcyStatus.OPEN)
        .select_related("account", "account__customer")
        .order_by("assurance_deadline", "id")
    )


def small_claims(*, status: str = "") -> QuerySet[SmallClaim]:
    qs = SmallClaim.objects.select_related("account", "account__customer")
    if status == "open":
        qs = qs.filter(status__in=OPEN_CLAIM_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    return qs.order_by("-filed_on", "-id")


@dataclass(frozen=True)
class PageItem:
    """One recovery record as the account page shows it (one row of ACCOUNT_RECOVERY_SQL)."""

    kind: str  # bankruptcy, write_off, referral, claim
    pk: int
    status: str
    on: date | None  # petition / requested / referred / filed
    due: date | None  # assurance deadline / posted / - / hearing
    done: date | None  # assurance received / - / - / -
    amount: Decimal  # pre-petition / written off / principal / claim
    other: Decimal  # deposit set-off / recovered / - / -
    label: str  # case number / write-off kind / agency name / court
    number: int | None  # chapter

    def status_label(self) -> str:
        choices = {
            "bankruptcy": BankruptcyStatus,
            "write_off": WriteOffStatus,
            "referral": ReferralStatus,
            "claim": SmallClaimStatus,
        }[self.kind]
        return str(choices(self.status).label)


# One query for the account page (a page provider may run at most one): the open bankruptcy, the
# last write-offs, the latest referral with its agency's name, the last small claims.
ACCOUNT_RECOVERY_SQL = """
(SELECT 'bankruptcy', id, status, petition_date, assurance_deadline, assurance_received_on,
        pre_petition_balance, deposit_setoff, case_number, chapter
 FROM collections_app_bankruptcycase WHERE account_id = %(id)s AND status = 'open' LIMIT 1)
UNION ALL
(SELECT 'write_off', id, status, (requested_at AT TIME ZONE %(tz)s)::date, posted_on, NULL,
        amount, recovered_amount, kind, NULL
 FROM collections_app_writeoff WHERE account_id = %(id)s AND status <> 'rejected' ORDER BY id DESC LIMIT 10)
UNION ALL
(SELECT 'referral', r.id, r.status, r.referred_on, NULL, NULL, r.principal, 0, g.name, NULL
 FROM collections_app_agencyreferral r JOIN collections_app_collectionagency g ON g.id = r.agency_id
 WHERE r.account_id = %(id)s ORDER BY r.referred_on DESC, r.id DESC LIMIT 1)
UNION ALL
(SELECT 'claim', id, status, filed_on, hearing_on, NULL, claim_amount, 0, court, NULL
 FROM collections_app_smallclaim WHERE account_id = %(id)s ORDER BY filed_on DESC, id DESC LIMIT 5)
"""


@dataclass(frozen=True)
class AccountRecovery:
    bankruptcy: PageItem | None
    write_offs: list[PageItem]
    referral: PageItem | None
    claims: list[PageItem]

    @property
    def written_off(self) -> Decimal:
        """Still written off (posted debts less what was recovered); credit write-offs excluded."""
        return sum(
            (w.amount - w.other for w in self.write_offs if w.status == "posted" and w.amount > 0), Decimal(0)
        )


def account_recovery(*, account_id: int) -> AccountRecovery:
    with connection.cursor() as cursor:
        cursor.execute(ACCOUNT_RECOVERY_SQL, {"id": account_id, "tz": settings.TIME_ZONE})
        items = [PageItem(*row) for row in cursor.fetchall()]
    by = {k: [i for i in items if i.kind == k] for k in ("bankruptcy", "write_off", "referral", "claim")}
    return AccountRecovery(
        bankruptcy=next(iter(by["bankruptcy"]), None),
        write_offs=by["write_off"],
        referral=next(iter(by["referral"]), None),
        claims=by["claim"],
    )
