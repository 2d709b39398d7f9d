"""Payment arrangements: eligibility per policy, a schedule that sums exactly, credit authority
with a supervisor queue above it, and installments tracked against payments."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Account, AccountStatus, Bill
from accounts.services.ledger import accounts_lock
from common.audit import audit_record
from common.dates import add_months
from common.exceptions import DomainError
from common.money import to_money
from counseling.models import (
    Arrangement,
    ArrangementStatus,
    CreditAuthority,
    Installment,
    Letter,
    LetterKind,
)
from payments.models import Payment

OPEN = (ArrangementStatus.ACTIVE, ArrangementStatus.PENDING_APPROVAL)


@dataclass(frozen=True)
class RuleCheck:
    code: str
    passed: bool
    reason: str


def eligibility(*, account: Account, today: date) -> list[RuleCheck]:
    """Every rule checked, passed or not, with the reason a counselor can read to the customer."""
    checks = []
    final = account.status in (AccountStatus.FINAL, AccountStatus.CLOSED)
    checks.append(
        RuleCheck(
            "final_bill",
            not (final and settings.ARRANGEMENT_REFUSE_AFTER_FINAL_BILL),
            "A final bill has been issued: the balance is due in full." if final else "No final bill issued.",
        )
    )
    checks.append(
        RuleCheck(
            "balance",
            account.balance > 0,
            f"Balance ${account.balance:,.2f}" + ("" if account.balance > 0 else ": nothing to arrange."),
        )
    )
    open_one = account.arrangements.filter(status__in=OPEN).first()
    checks.append(
        RuleCheck(
            "one_open",
            open_one is None,
            f"An arrangement is already {open_one.get_status_display().lower()}."
            if open_one
            else "No open arrangement.",
        )
    )
    year_ago = add_months(today, -12)
    recent = account.arrangements.filter(
        created_at__date__gt=year_ago,
        status__in=[ArrangementStatus.ACTIVE, ArrangementStatus.KEPT, ArrangementStatus.BROKEN],
    ).count()
    checks.append(
        RuleCheck(
            "per_year",
            recent < settings.ARRANGEMENT_PER_YEAR,
            f"{recent} arrangement(s) in the last 12 months; policy allows {settings.ARRANGEMENT_PER_YEAR}.",
        )
    )
    lookback = add_months(today, -settings.ARRANGEMENT_BROKEN_LOOKBACK_MONTHS)
    broken = account.arrangements.filter(status=ArrangementStatus.BROKEN, ended_on__gt=lookback).first()
    checks.append(
        RuleCheck(
            "broken_recently",
            broken is None,
            f"An arrangement was broken on {broken.ended_on:%b %d, %Y}, within "
            f"{settings.ARRANGEMENT_BROKEN_LOOKBACK_MONTHS} months."
            if broken
            else f"No arrangement broken in the last {settings.ARRANGEMENT_BROKEN_LOOKBACK_MONTHS} months.",
        )
    )
    last = Payment.objects.filter(account=account).exclude(status="voided").order_by("-created_at").first()
    returned = last is not None and last.status in ("returned", "part_returned")
    checks.append(
        RuleCheck(
            "last_payment_returned",
            not (returned and settings.ARRANGEMENT_REFUSE_IF_LAST_PAYMENT_RETURNED),
            "The last payment was returned by the bank."
            if returned
            else "The last payment was not returned.",
        )
    )
    return checks


def next_due_dates(*, account_id: int, count: int, today: date) -> list[date]:
    """Installments fall due with the bills: the last bill's due day, month after month."""
    last = (
        Bill.objects.filter(account_id=account_id)
        .order_by("-due_date")
        .values_list("due_date", flat=True)
        .first()
    )
    anchor = last or today + timedelta(days=30)
    while anchor <= today:
        anchor = add_months(anchor, 1)
    return [add_months(anchor, k) for k in range(count)]


def schedule(
    *, total: Decimal, down_payment: Decimal, count: int, first_dates: list[date], today: date
) -> list[tuple[int, date, Decimal]]:
    """(number, due date, amount): the down payment today as #0, then equal installments with the
    last one absorbing the rounding, so the schedule sums exactly to the total."""
    total, down = to_money(total), to_money(down_payment)
    if count < 1:
        raise DomainError("arrangement.count", "At least one installment.")
    if down < 0 or down >= total:
        raise DomainError(
            "arrangement.down", "The down payment must be at least zero and less than the balance."
        )
    rest = total - down
    each = (rest / count).quantize(Decimal("0.01"), rounding=ROUND_FLOOR)
    if each <= 0:
        raise DomainError("arrangement.too_many", "Too many installments for this balance.")
    rows = [(0, today, down)] if down > 0 else []
    rows += [(k + 1, first_dates[k], each) for k in range(count - 1)]
    rows.append((count, first_dates[count - 1], rest - each * (count - 1)))
    return rows


def authority_of(user) -> tuple[Decimal, int]:  # type: ignore[no-untyped-def]
    auth = CreditAuthority.objects.filter(user=user).first()
    if auth:
        return auth.max_amount, auth.max_months
    return to_money(settings.DEFAULT_CREDIT_AUTHORITY_AMOUNT), settings.DEFAULT_CREDIT_AUTHORITY_MONTHS


@transaction.atomic(durable=True)
def arrangement_propose(
    *,
    account_id: int,
    counselor,
    down_payment: Decimal,
    installments: int,
    reason: str,  # type: ignore[no-untyped-def]
    idempotency_key: UUID | str,
    interview_id: int | None = None,
) -> Arrangement:
    key = f"arr:{idempotency_key}"
    account = accounts_lock([account_id])[account_id]
    if done := Arrangement.objects.filter(idempotency_key=key).first():
        if done.account_id != account_id:  # a copied form: never answer with another account's plan
            raise DomainError(
                "arrangement.key_reused",
                "This form was already used for another account; reload this account's page and try again.",
            )
        return done
    today = timezone.localdate()
    failed = [c for c in eligibility(account=account, today=today) if not c.passed]
    if failed:
        raise DomainError(
            f"arrangement.{failed[0].code}", "Not eligible: " + " ".join(c.reason for c in failed)
        )
    if installments > settings.ARRANGEMENT_MAX_MONTHS:
        raise DomainError(
            "arrangement.max_months",
            f"Policy allows at most {settings.ARRANGEMENT_MAX_MONTHS} monthly installments.",
        )
    if not reason.strip():
        raise DomainError("arrangement.reason", "Record why the customer needs the arrangement.")
    dates = next_due_dates(account_id=account_id, count=installments, today=today)
    rows = schedule(
        total=account.balance, down_payment=down_payment, count=installments, first_dates=dates, today=today
    )
    max_amount, max_months = authority_of(counselor)
    months = installments
    over = account.balance > max_amount or months > max_months
    arrangement = Arrangement.objects.create(
        account=account,
        counselor=counselor,
        interview_id=interview_id,
        total=account.balance,
        down_payment=to_money(down_payment),
        installment_count=installments,
        months=months,
        reason=reason.strip(),
        exceeds_authority=over,
        idempotency_key=key,
        status=ArrangementStatus.PENDING_APPROVAL if over else ArrangementStatus.ACTIVE,
    )
    Installment.objects.bulk_create(
        [Installment(arrangement=arrangement, number=n, due_date=d, amount=a) for n, d, a in rows]
    )
    if not over:
        Letter.objects.create(
            account=account,
            kind=LetterKind.AGREEMENT,
            subject_id=arrangement.pk,
            created_by=counselor,
            dedupe_key=f"agreement:{arrangement.pk}",
        )
    audit_record(
        actor=counselor,
        verb="arrangement.pending" if over else "arrangement.create",
        target=arrangement,
        account_id=account_id,
        data={
            "total": str(account.balance),
            "installments": installments,
            "down_payment": str(to_money(down_payment)),
        },
    )
    return arrangement


@transaction.atomic(durable=True)
def arrangement_decide(*, arrangement_id: int, approve: bool, note: str, actor) -> Arrangement:  # type: ignore[no-untyped-def]
    if not actor.has_perm("counseling.approve_arrangement"):
        raise DomainError("arrangement.not_allowed", "Only a supervisor can approve arrangements.")
    account_id = Arrangement.objects.values_list("account_id", flat=True).get(pk=arrangement_id)
    accounts_lock([account_id])
    arrangement = Arrangement.objects.select_for_update(no_key=True).get(pk=arrangement_id)
    if arrangement.status != ArrangementStatus.PENDING_APPROVAL:
        raise DomainError("arrangement.decided", "This arrangement was already decided.")
    if arrangement.counselor_id == actor.pk:
        raise DomainError("arrangement.own", "A second person must approve an arrangement you proposed.")
    if not approve and not note.strip():
        raise DomainError("arrangement.reject_note", "Say why the arrangement is rejected.")
    arrangement.status = ArrangementStatus.ACTIVE if approve else ArrangementStatus.REJECTED
    arrangement.decided_by, arrangement.decided_at, arrangement.decision_note = (
        actor,
        timezone.now(),
        note.strip(),
    )
    if not approve:
        arrangement.ended_on = timezone.localdate()
    arrangement.save()
    if approve:
        Letter.objects.get_or_create(
            dedupe_key=f"agreement:{arrangement.pk}",
            defaults={
                "account_id": account_id,
                "kind": LetterKind.AGREEMENT,
                "subject_id": arrangement.pk,
                "created_by": actor,
            },
        )
    audit_record(
        actor=actor,
        verb="arrangement.approve" if approve else "arrangement.reject",
        target=arrangement,
        account_id=account_id,
        data={"note": note.strip()[:200]},
    )
    return arrangement


@transaction.atomic(durable=True)
def arrangement_cancel(*, arrangement_id: int, reason: str, actor) -> Arrangement:  # type: ignore[no-untyped-def]
    account_id = Arrangement.objects.values_list("account_id", flat=True).get(pk=arrangement_id)
    accounts_lock([account_id])
    arrangement = Arrangement.objects.select_for_update(no_key=True).get(pk=arrangement_id)
    if arrangement.status not in OPEN:
        raise DomainError("arrangement.closed", "Only an active or pending arrangement can be cancelled.")
    if arrangement.counselor_id != actor.pk and not actor.has_perm("counseling.approve_arrangement"):
        raise DomainError(
            "arrangement.not_yours",
            "Only the counselor who made this arrangement, or a supervisor, can cancel it.",
        )
    if not reason.strip():
        raise DomainError("arrangement.cancel_reason", "Give the reason for cancelling.")
    arrangement.status, arrangement.ended_on = ArrangementStatus.CANCELLED, timezone.localdate()
    arrangement.end_reason = reason.strip()
    arrangement.save(update_fields=["status", "ended_on", "end_reason"])
    audit_record(
        actor=actor,
        verb="arrangement.cancel",
        target=arrangement,
        account_id=account_id,
        data={"reason": reason.strip()[:200]},
    )
    return arrangement
