from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from accounts.services.ledger import accounts_lock
from common.audit import audit_record
from common.exceptions import DomainError
from common.money import to_money
from counseling.models import Agency, Letter, LetterKind, Pledge, PledgeStatus, Referral
from payments.models import CounterTransaction, TenderKind
from payments.services.posting import Line, TenderSpec, transaction_post


@transaction.atomic(durable=True)
def referral_create(*, account_id: int, agency_id: int, program: str, note: str, counselor) -> Referral:  # type: ignore[no-untyped-def]
    accounts_lock([account_id])
    agency = Agency.objects.filter(pk=agency_id, active=True).first()
    if agency is None:
        raise DomainError("referral.agency", "Choose an active agency.")
    referral = Referral.objects.create(
        account_id=account_id,
        agency=agency,
        program=program.strip() or agency.programs,
        note=note.strip(),
        counselor=counselor,
    )
    Letter.objects.create(
        account_id=account_id,
        kind=LetterKind.REFERRAL,
        subject_id=referral.pk,
        created_by=counselor,
        dedupe_key=f"referral:{referral.pk}",
    )
    audit_record(
        actor=counselor,
        verb="referral.create",
        target=referral,
        account_id=account_id,
        data={"agency": agency.name},
    )
    return referral


def _check_within_owed(*, account, amount: Decimal) -> None:  # type: ignore[no-untyped-def]
    """An agency pays toward what the customer owes: together with what the account's pending
    pledges still have to pay, a pledge may not exceed the balance owed (a larger one would hold
    a shutoff on money that is not owed and inflate the agency's pledged totals). The caller
    holds the account's row lock, so two pledges recorded at once cannot both fit."""
    owed = to_money(account.balance)
    pending = to_money(
        Pledge.objects.filter(account_id=account.pk, status=PledgeStatus.PENDING).aggregate(
            s=Sum(F("amount") - F("paid_amount"))
        )["s"]
        or 0
    )
    room = max(owed - pending, Decimal(0))
    if amount <= room:
        return
    if owed <= 0:
        raise DomainError(
            "pledge.over_owed",
            f"Account {account.number} owes nothing (balance ${owed:,.2f}): nothing to pledge.",
        )
    if pending > 0:
        raise DomainError(
            "pledge.over_owed",
            f"The pledge of ${amount:,.2f} is more than is owed: the account owes ${owed:,.2f} and "
            f"pending pledges already cover ${pending:,.2f}, so at most ${room:,.2f} can be pledged.",
        )
    raise DomainError(
        "pledge.over_owed",
        f"The pledge of ${amount:,.2f} is more than the ${owed:,.2f} the account owes: "
        f"at most ${owed:,.2f} can be pledged.",
    )


@transaction.atomic(durable=True)
def pledge_record(
    *,
    account_id: int,
    agency_id: int,
    program: str,
    amount: Decimal,
    pledged_on: date,  # type: ignore[no-untyped-def]
    expected_by: date | None,
    reference: str,
    counselor,
    period_start: date | None = None,
    period_end: date | None = None,
) -> Pledge:
    """`period_start`/`period_end`: the billing period the pledge was received in (16 TAC
    7.460(b)(2)), both or neither; neither: the engine takes it from the bills."""
    account = accounts_lock([account_id])[account_id]
    agency = Agency.objects.filter(pk=agency_id, active=True).first()
    if agency is None:
        raise DomainError("pledge.agency", "Choose an active agency.")
    amount = to_money(amount)
    if amount <= 0:
        raise DomainError("pledge.amount", "The pledge amount must be more than zero.")
    if pledged_on > timezone.localdate():
        raise DomainError("pledge.future", "The pledge date cannot be in the future.")
    expected_by = expected_by or pledged_on + timedelta(days=agency.days_to_pay)
    if expected_by < pledged_on:
        raise DomainError("pledge.dates", "The expected payment date is before the pledge date.")
    _check_period(pledged_on=pledged_on, start=period_start, end=period_end)
    _check_within_owed(account=account, amount=amount)
    pledge = Pledge.objects.create(
        account=account,
        agency=agency,
        program=program.strip() or agency.programs,
        amount=amount,
        pledged_on=pledged_on,
        expected_by=expected_by,
        reference=reference.strip()[:40],
        period_start=period_start,
        period_end=period_end,
        counselor=counselor,
    )
    data = {"agency": agency.name, "amount": str(amount), "expected_by": expected_by.isoformat()}
    if period_start and period_end:
        data |= {"period": f"{period_start.isoformat()}/{period_end.isoformat()}"}
    audit_record(actor=counselor, verb="pledge.record", target=pledge, account_id=account_id, data=data)
    return pledge


def _check_period(*, pledged_on: date, start: date | None, end: date | None) -> None:
    if (start is None) != (end is None):
        raise DomainError(
            "pledge.period", "Give both the first and the last day of the billing period, or neither."
        )
    if start is None or end is None:
        return
    if end < start:
        raise DomainError("pledge.period", "The billing period ends before it starts.")
    if not start <= pledged_on <= end:
        raise DomainError(
            "pledge.period",
            f"The pledge date {pledged_on:%b %d, %Y} is outside the billing period "
            f"{start:%b %d} – {end:%b %d, %Y}: give the period the pledge was received in.",
        )


@transaction.atomic(durable=True)
def pledge_cancel(*, pledge_id: int, reason: str, actor) -> Pledge:  # type: ignore[no-untyped-def]
    account_id = Pledge.objects.values_list("account_id", flat=True).get(pk=pledge_id)
    accounts_lock([account_id])
    pledge = Pledge.objects.select_for_update(no_key=True).get(pk=pledge_id)
    if pledge.status != PledgeStatus.PENDING:
        raise DomainError("pledge.closed", "Only a pending pledge can be cancelled.")
    if not reason.strip():
        raise DomainError("pledge.reason", "Give the reason for cancelling the pledge.")
    pledge.status, pledge.closed_at = PledgeStatus.CANCELLED, timezone.now()
    pledge.save(update_fields=["status", "closed_at"])
    audit_record(
        actor=actor,
        verb="pledge.cancel",
        target=pledge,
        account_id=account_id,
        data={"reason": reason.strip()[:200]},
    )
    return pledge


def agency_check_post(
    *,
    agency_id: int,
    check_number: str,
    allocations: list[tuple[int, Decimal]],
    actor,  # type: ignore[no-untyped-def]
    idempotency_key: UUID | str,
) -> CounterTransaction:
    """One agency check paying many customers' pledges: one transaction, one payment per account,
    each matched to that agency's pending pledges by the payments hook."""
    agency = Agency.objects.filter(pk=agency_id).first()
    if agency is None:
        raise DomainError("agency.unknown", "Choose the agency that sent the check.")
    if not check_number.strip():
        raise DomainError("agency.check_number", "Enter the agency's check number.")
    pledges = {
        p.pk: p
        for p in Pledge.objects.filter(
            pk__in=[pid for pid, _ in allocations], agency=agency, status=PledgeStatus.PENDING
        )
    }
    by_account: dict[int, Decimal] = {}
    for pledge_id, amount in allocations:
        if pledge_id not in pledges:
            raise DomainError(
                "agency.pledge", f"Pledge {pledge_id} is not a pending pledge of {agency.name}."
            )
        if to_money(amount) <= 0:
            continue
        account_id = pledges[pledge_id].account_id
        by_account[account_id] = by_account.get(account_id, Decimal(0)) + to_money(amount)
    if not by_account:
        raise DomainError("agency.nothing", "Enter the amount paid for at least one pledge.")
    total = sum(by_account.values(), Decimal(0))
    return transaction_post(
        lines=[Line(a, x) for a, x in by_account.items()],
        actor=actor,
        tenders=[TenderSpec(kind=TenderKind.AGENCY, amount=total, reference=check_number.strip())],
        payer_name=agency.name,
        idempotency_key=idempotency_key,
    )
