"""Small-claims suits: filed (the court's filing fee is charged to the account), hearing set,
judgment entered, then satisfied or dismissed. Every step is audited."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import EntryKind
from accounts.services.ledger import accounts_lock
from collections_app.models import SmallClaim, SmallClaimStatus
from collections_app.selectors.recovery import OPEN_CLAIM_STATUSES
from collections_app.services.charges import _charge
from common.audit import audit_record
from common.exceptions import DomainError
from common.money import to_money

# Which step may follow which.
NEXT = {
    "hearing": {SmallClaimStatus.FILED, SmallClaimStatus.HEARING_SET},  # a hearing may be reset
    "judgment": {SmallClaimStatus.FILED, SmallClaimStatus.HEARING_SET},
    "satisfy": {SmallClaimStatus.JUDGMENT},
    "dismiss": {SmallClaimStatus.FILED, SmallClaimStatus.HEARING_SET},
}


def _check_date(day: date, after: date, what: str) -> None:
    if day > timezone.localdate():
        raise DomainError("claim.date", f"The {what} date cannot be in the future.")
    if day < after:
        raise DomainError("claim.date", f"The {what} date cannot be before {after:%b %d, %Y}.")


@transaction.atomic(durable=True)
def claim_file(  # type: ignore[no-untyped-def]
    *,
    account_id: int,
    court: str,
    case_number: str,
    filed_on: date,
    claim_amount: Decimal,
    filing_fee: Decimal,
    actor,
    note: str = "",
) -> SmallClaim:
    account = accounts_lock([account_id])[account_id]
    claim_amount, filing_fee = to_money(claim_amount), to_money(filing_fee)
    if not court.strip():
        raise DomainError("claim.court", "Enter the court.")
    if claim_amount <= 0:
        raise DomainError("claim.amount", "The claim must be for more than zero.")
    if filing_fee < 0:
        raise DomainError("claim.fee", "The filing fee cannot be negative.")
    _check_date(filed_on, account.opened_on, "filing")
    if SmallClaim.objects.filter(account_id=account_id, status__in=OPEN_CLAIM_STATUSES).exists():
        raise DomainError("claim.open", f"Account {account.number} already has a claim in court.")
    claim = SmallClaim.objects.create(
        account=account,
        court=court.strip(),
        case_number=case_number.strip(),
        filed_on=filed_on,
        claim_amount=claim_amount,
        filing_fee=filing_fee,
        note=note.strip(),
        created_by=actor,
    )
    _charge(
        account=account,
        kind=EntryKind.FEE,
        amount=filing_fee,
        on=filed_on,
        reference=f"SMALL CLAIM FILING FEE C{claim.pk}",
        idempotency_key=f"claim-fee:{claim.pk}",
        actor=actor,
    )
    audit_record(
        actor=actor,
        verb="claim.file",
        target=claim,
        account_id=account_id,
        data={"court": claim.court, "amount": str(claim_amount), "filing_fee": str(filing_fee)},
    )
    return claim


def _claim(claim_id: int, step: str) -> SmallClaim:
    account_id = SmallClaim.objects.filter(pk=claim_id).values_list("account_id", flat=True).first()
    if account_id is None:
        raise DomainError("claim.not_found", "No such small claim.")
    accounts_lock([account_id])
    claim = SmallClaim.objects.select_for_update(no_key=True).get(pk=claim_id)
    if claim.status not in NEXT[step]:
        raise DomainError(
            "claim.state", f"This claim is {claim.get_status_display().lower()}: cannot {step}."
        )
    return claim


def _done(claim: SmallClaim, actor, verb: str, fields: list[str], data: dict) -> SmallClaim:  # type: ignore[no-untyped-def,type-arg]
    claim.save(update_fields=["status", *fields])
    audit_record(actor=actor, verb=f"claim.{verb}", target=claim, account_id=claim.account_id, data=data)
    return claim


@transaction.atomic(durable=True)
def claim_hearing(*, claim_id: int, hearing_on: date, actor) -> SmallClaim:  # type: ignore[no-untyped-def]
    claim = _claim(claim_id, "hearing")
    if hearing_on < claim.filed_on:
        raise DomainError("claim.date", "The hearing cannot be before the filing date.")
    claim.hearing_on, claim.status = hearing_on, SmallClaimStatus.HEARING_SET
    return _done(claim, actor, "hearing", ["hearing_on"], {"hearing_on": hearing_on.isoformat()})


@transaction.atomic(durable=True)
def claim_judgment(*, claim_id: int, judgment_on: date, amount: Decimal, actor) -> SmallClaim:  # type: ignore[no-untyped-def]
    claim = _claim(claim_id, "judgment")
    _check_date(judgment_on, claim.filed_on, "judgment")
    amount = to_money(amount)
    if amount <= 0:
        raise DomainError("claim.amount", "Enter the judgment amount (dismiss the claim if the court did).")
    claim.judgment_on, claim.judgment_amount, claim.status = judgment_on, amount, SmallClaimStatus.JUDGMENT
    return _done(
        claim,
        actor,
        "judgment",
        ["judgment_on", "judgment_amount"],
        {"judgment_on": judgment_on.isoformat(), "amount": str(amount)},
    )


@transaction.atomic(durable=True)
def claim_satisfy(*, claim_id: int, satisfied_on: date, actor) -> SmallClaim:  # type: ignore[no-untyped-def]
    claim = _claim(claim_id, "satisfy")
    _check_date(satisfied_on, claim.judgment_on or claim.filed_on, "satisfaction")
    claim.satisfied_on, claim.status = satisfied_on, SmallClaimStatus.SATISFIED
    return _done(claim, actor, "satisfy", ["satisfied_on"], {"satisfied_on": satisfied_on.isoformat()})


@transaction.atomic(durable=True)
def claim_dismiss(*, claim_id: int, dismissed_on: date, note: str, actor) -> SmallClaim:  # type: ignore[no-untyped-def]
    claim = _claim(claim_id, "dismiss")
    _check_date(dismissed_on, claim.filed_on, "dismissal")
    if not note.strip():
        raise DomainError("claim.note", "Say why the claim was dismissed.")
    claim.dismissed_on, claim.status = dismissed_on, SmallClaimStatus.DISMISSED
    claim.note = f"{claim.note}\nDismissed: {note.strip()}".strip()
    return _done(
        claim,
        actor,
        "dismiss",
        ["dismissed_on", "note"],
        {"dismissed_on": dismissed_on.isoformat(), "note": note},
    )
