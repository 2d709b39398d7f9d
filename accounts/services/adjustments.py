from datetime import date
from decimal import Decimal
from uuid import UUID

from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Abs
from django.utils import timezone

from accounts.models import Adjustment, AdjustmentStatus, EntryKind, Fund, ReasonCode
from accounts.services.ledger import EntrySpec, _post, accounts_lock
from common.audit import audit_record
from common.exceptions import DomainError
from common.money import to_money
from policy.selectors import current_policy


def approval_limit() -> Decimal:
    """Adjustments above this wait for a supervisor (the policy in force)."""
    return to_money(current_policy()[0].param("adjustments.approval_limit"))


def _adjusted_today(*, account_id: int, today: date) -> Decimal:
    """What the account's adjustments already move today, credits and debits alike, posted or
    pending, whoever asked: four -$100 credits are $400 of adjustments, so splitting one large
    adjustment into small ones cannot slip under the limit. Rejected ones moved nothing.
    The caller holds the account's row lock, so two requests at once are counted one after the other."""
    total = Adjustment.objects.filter(
        account_id=account_id,
        requested_at__date=today,
        status__in=(AdjustmentStatus.PENDING, AdjustmentStatus.POSTED),
    ).aggregate(total=Sum(Abs("amount")))["total"]
    return to_money(total or 0)


@transaction.atomic(durable=True)
def adjustment_request(
    *,
    account_id: int,
    fund_id: int,
    amount: Decimal,
    reason_id: int,
    note: str,
    actor,
    idempotency_key: UUID | str,
) -> Adjustment:  # type: ignore[no-untyped-def]
    """Post an adjustment now, or queue it for a second person when, with the account's other
    adjustments today, it exceeds the limit. Four eyes for everyone: a supervisor's own request
    waits too, for another person with the approval right (`adjustment_decide`)."""
    key = f"adj:{idempotency_key}"
    account = accounts_lock([account_id])[account_id]
    if done := Adjustment.objects.filter(idempotency_key=key).first():
        return done  # checked under the lock: a double submit posts once
    amount = to_money(amount)
    if amount == 0:
        raise DomainError("adjustment.zero", "An adjustment of zero changes nothing.")
    if not note.strip():
        raise DomainError("adjustment.note", "Explain the adjustment in the note.")
    reason = ReasonCode.objects.filter(pk=reason_id, kind=ReasonCode.Kind.ADJUSTMENT, active=True).first()
    if reason is None:
        raise DomainError("adjustment.reason", "Choose an adjustment reason code.")
    fund = Fund.objects.filter(pk=fund_id, active=True).first()
    if fund is None:
        raise DomainError("adjustment.fund", "Choose an active fund.")
    day_total = _adjusted_today(account_id=account.pk, today=timezone.localdate()) + abs(amount)
    needs_approval = day_total > approval_limit()
    adjustment = Adjustment.objects.create(
        account=account,
        fund=fund,
        amount=amount,
        reason=reason,
        note=note.strip(),
        requested_by=actor,
        status=AdjustmentStatus.PENDING if needs_approval else AdjustmentStatus.POSTED,
        idempotency_key=key,
    )
    if not needs_approval:
        _post_adjustment(adjustment=adjustment, actor=actor)
    audit_record(
        actor=actor,
        verb="adjustment.pending" if needs_approval else "adjustment.post",
        target=adjustment,
        account_id=account.pk,
        data={"amount": str(amount), "fund": fund.code, "reason": reason.code, "day_total": str(day_total)},
    )
    return adjustment


def _post_adjustment(*, adjustment: Adjustment, actor) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    amount = adjustment.amount
    [entry] = _post(
        account=adjustment.account,
        actor=actor,
        key_prefix=adjustment.idempotency_key,
        specs=[
            # A debit adjustment is a charge due today; a credit joins the pool that settles charges.
            EntrySpec(
                fund_id=adjustment.fund_id,
                kind=EntryKind.ADJUSTMENT,
                amount=amount,
                effective_date=today,
                due_date=today if amount > 0 else None,
                reference=f"ADJ-{adjustment.pk}",
            )
        ],
    )
    adjustment.entry = entry
    adjustment.save(update_fields=["entry"])


@transaction.atomic(durable=True)
def adjustment_decide(*, adjustment_id: int, approve: bool, note: str, actor) -> Adjustment:  # type: ignore[no-untyped-def]
    if not actor.has_perm("accounts.approve_adjustment"):
        raise DomainError("adjustment.not_allowed", "Only a supervisor can decide on adjustments.")
    account_id = Adjustment.objects.values_list("account_id", flat=True).get(pk=adjustment_id)
    accounts_lock([account_id])
    adjustment = (
        Adjustment.objects.select_for_update(no_key=True).select_related("account").get(pk=adjustment_id)
    )
    if adjustment.status != AdjustmentStatus.PENDING:
        raise DomainError("adjustment.decided", "This adjustment was already decided.")
    if adjustment.requested_by_id == actor.pk:
        raise DomainError("adjustment.own", "A second person must approve an adjustment you requested.")
    if not approve and not note.strip():
        raise DomainError("adjustment.reject_note", "Say why the adjustment is rejected.")
    adjustment.status = AdjustmentStatus.POSTED if approve else AdjustmentStatus.REJECTED
    adjustment.decided_by, adjustment.decided_at, adjustment.decision_note = (
        actor,
        timezone.now(),
        note.strip(),
    )
    adjustment.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if approve:
        _post_adjustment(adjustment=adjustment, actor=actor)
    audit_record(
        actor=actor,
        verb="adjustment.approve" if approve else "adjustment.reject",
        target=adjustment,
        account_id=account_id,
        data={"amount": str(adjustment.amount), "note": note.strip()[:200]},
    )
    return adjustment
