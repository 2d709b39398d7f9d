"""Reads for write-offs, agency referrals, bankruptcies and small claims."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Max, OuterRef, QuerySet, Subquery, Sum

from accounts.models import Bill, EntryKind, LedgerEntry
from collections_app.models import (
    AgencyReferral,
    BankruptcyCase,
    BankruptcyStatus,
    SmallClaim,
    SmallClaimStatus,
    WriteOff,
    WriteOffStatus,
)
from collections_app.policy.facts import AccountFacts
from common.money import to_money

OPEN_CLAIM_STATUSES = (SmallClaimStatus.FILED, SmallClaimStatus.HEARING_SET, SmallClaimStatus.JUDGMENT)


def facts_for(account_id: int, *, as_of: date) -> AccountFacts:
    from collections_app.selectors.facts import facts_for_account

    return facts_for_account(account_id, as_of=as_of)


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


def referral_file_rows(*, referred_on: date | None = None, status: str = "referred") -> list[list[Any]]:
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
    qs = referrals(status=status).select_related("account__premise")
    if referred_on is not None:
        qs = qs.filter(referred_on=referred_on)
    qs = qs.annotate(last_payment=Subquery(last_payment), final_bill=Subquery(final_bill))
    rows = []
    for r in qs:
        c = r.account.customer
        final_bill = r.final_bill or r.account.final_bill_requested_on
        rows.append(
            [
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
        )
    return rows


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
class AccountRecovery:
    bankruptcy: BankruptcyCase | None
    write_offs: list[WriteOff]
    referral: AgencyReferral | None
    claims: list[SmallClaim]

    @property
    def written_off(self) -> Decimal:
        return sum((w.amount - w.recovered_amount for w in self.write_offs if w.amount > 0), Decimal(0))


def account_recovery(*, account_id: int) -> AccountRecovery:
    """What the account page shows of recovery: four small indexed queries."""
    return AccountRecovery(
        bankruptcy=BankruptcyCase.objects.filter(account_id=account_id, status=BankruptcyStatus.OPEN).first(),
        write_offs=list(
            WriteOff.objects.filter(account_id=account_id)
            .exclude(status=WriteOffStatus.REJECTED)
            .order_by("-id")[:10]
        ),
        referral=AgencyReferral.objects.filter(account_id=account_id)
        .select_related("agency")
        .order_by("-referred_on", "-id")
        .first(),
        claims=list(SmallClaim.objects.filter(account_id=account_id).order_by("-filed_on", "-id")[:5]),
    )
