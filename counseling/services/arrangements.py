"""Payment arrangements: eligibility per policy, a schedule that sums exactly, credit authority
with a supervisor queue above it, and installments tracked against payments."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from accounts.models import Account, Bill, DecisionKind, DecisionOutcome
from accounts.services.decisions import decision_record
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
from counseling.services.arrangement_terms import arrangement_limits_for, engine_checks
from counseling.services.policy_decisions import (
    PolicyRefused,
    arrangement_allowed_reason,
    arrangement_check_rows,
    arrangement_terms_refusal,
    refusal_record,
    stored_code,
)
from policy.models import PolicyVersion
from policy.selectors import current_policy
from policy_engine.amounts_plans import ArrangementLimits

OPEN = (ArrangementStatus.ACTIVE, ArrangementStatus.PENDING_APPROVAL)


@dataclass(frozen=True)
class RuleCheck:
    code: str
    passed: bool
    reason: str
    citation: str = ""


def _own_checks(account: Account) -> list[RuleCheck]:
    """What counseling itself needs: something to arrange, and one open arrangement at a time."""
    open_one = account.arrangements.filter(status__in=OPEN).first()
    return [
        RuleCheck(
            "balance",
            account.balance > 0,
            f"Balance ${account.balance:,.2f}" + ("" if account.balance > 0 else ": nothing to arrange."),
        ),
        RuleCheck(
            "one_open",
            open_one is None,
            f"An arrangement is already {open_one.get_status_display().lower()}."
            if open_one
            else "No open arrangement.",
        ),
    ]


def _offer(*, account: Account, today: date) -> tuple[list[RuleCheck], ArrangementLimits, PolicyVersion]:
    """offer(), and the policy version that decided it (read once: the decision names it)."""
    policy, version = current_policy()
    limits = arrangement_limits_for(
        account_id=account.pk, today=today, arrears=account.balance, policy=policy
    )
    checks = _own_checks(account) + [
        RuleCheck(code, passed, reason, citation) for code, passed, reason, citation in engine_checks(limits)
    ]
    return checks, limits, version


def offer(*, account: Account, today: date) -> tuple[list[RuleCheck], ArrangementLimits]:
    """Every rule checked, passed or not, with the reason a counselor can read to the customer,
    and the terms the policy in force allows: the engine decides (rules.md §1.5)."""
    checks, limits, _ = _offer(account=account, today=today)
    return checks, limits


def eligibility(*, account: Account, today: date) -> list[RuleCheck]:
    return offer(account=account, today=today)[0]


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
    policy, _ = current_policy()
    return (
        to_money(policy.param("arrangements.counselor_authority_amount")),
        policy.param("arrangements.counselor_authority_months"),
    )


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
    """Propose an arrangement; the policy's decision (allowed, with its terms) is stored with it.
    A proposal the policy refuses (not eligible, or outside its terms) rolls back, and the
    refusal is stored in its own transaction (`PolicyRefused.decision`) and raised."""
    try:
        return _arrangement_propose(
            account_id=account_id,
            counselor=counselor,
            down_payment=down_payment,
            installments=installments,
            reason=reason,
            idempotency_key=idempotency_key,
            interview_id=interview_id,
        )
    except PolicyRefused as exc:
        exc.decision = refusal_record(exc)
        raise


@transaction.atomic(durable=True)
def _arrangement_propose(
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
    checks, limits, version = _offer(account=account, today=today)
    decided = {
        "account_id": account_id,
        "kind": DecisionKind.ARRANGEMENT,
        "as_of": today,
        "policy_version_id": version.pk,
        "checks": arrangement_check_rows(checks, limits),
        "actor": counselor,
    }
    failed = [c for c in checks if not c.passed]
    if failed:
        why = "Not eligible: " + " ".join(c.reason for c in failed)
        raise PolicyRefused(
            f"arrangement.{failed[0].code}",
            why,
            decision=decided
            | {
                "code": stored_code(failed[0].code),
                "reason": why,
                "citation": failed[0].citation,
                "amount": account.balance if account.balance > 0 else None,
                "subject": key,
            },
            replayable=True,
        )
    if refused := arrangement_terms_refusal(
        limits, installments=installments, down_payment=to_money(down_payment)
    ):
        code, why, rule, cite = refused
        raise PolicyRefused(
            code,
            why,
            decision=decided
            | {"code": rule, "reason": why, "citation": cite, "amount": account.balance, "subject": key},
            replayable=True,
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
    why, cite = arrangement_allowed_reason(
        limits, total=arrangement.total, down_payment=arrangement.down_payment, installments=installments
    )
    decision_record(
        **decided,
        outcome=DecisionOutcome.ALLOWED,
        code="ARRANGEMENT_TERM",
        reason=why,
        citation=cite,
        amount=arrangement.total,
        subject=f"arrangement:{arrangement.pk}",
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
