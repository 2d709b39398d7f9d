"""Bankruptcy cases (11 U.S.C. 366, rules.md 1.4.5).

Recording a case freezes the pre-petition balance (what the account owed at the start of the
petition date) and computes the adequate-assurance deadline with the policy (20 days after the
order for relief, chapter 11: 30 days from the petition, rolled past weekends and holidays).
Recording a case also pulls the account's unsent notices and cancels its disconnect orders the
engine no longer allows (bankruptcy_stay). Nothing here moves money except the discharge (a
write-off of what is left of the pre-petition balance) and the deposit set-off. The other areas read the
open case: notices and late fees skip bills due before the petition date, and the engine counts
only post-petition arrears.

Convention: the pre-petition part is the *oldest* part of what is owed (payments settle the oldest
charges first), so what is still pre-petition at any time is min(frozen amount - set-off, balance).
"""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import EntryKind
from accounts.services.ledger import EntrySpec, _post, accounts_lock, credit_distribution
from collections_app.models import (
    BankruptcyCase,
    BankruptcyStatus,
    DepositStatus,
    SecurityDeposit,
    WriteOffKind,
)
from collections_app.selectors.recovery import balance_before
from collections_app.services.bankruptcy_stay import stay_apply
from collections_app.services.write_offs import _write_off_now
from common.audit import audit_record
from common.exceptions import DomainError
from common.money import to_money
from policy_engine.facts import BankruptcyFact

CHAPTERS = (7, 11, 12, 13)
ASSURANCE_FORMS = {
    "cash_deposit": "Cash deposit",
    "letter_of_credit": "Letter of credit",
    "certificate_of_deposit": "Certificate of deposit",
    "surety_bond": "Surety bond",
    "prepayment": "Prepayment for utility service",
    "other": "Other security agreed with the utility",
}


def _deadline(case: BankruptcyCase) -> tuple[date, str]:
    from policy.selectors import current_policy
    from policy_engine.amounts import bankruptcy_deadline

    policy, _ = current_policy()
    check = bankruptcy_deadline(
        policy,
        BankruptcyFact(
            chapter=case.chapter,
            petition_date=case.petition_date,
            order_for_relief_date=case.order_for_relief_date,
        ),
    )
    if check.until is None:
        raise DomainError("bankruptcy.deadline", "The policy gave no assurance deadline for this case.")
    return check.until, " ".join(
        p for p in (check.reason, f"({check.citation})" if check.citation else "") if p
    )


def frozen_amount(*, pre_petition: Decimal, setoff: Decimal, balance: Decimal) -> Decimal:
    """What is still pre-petition: the oldest part of what is owed, never more than the balance."""
    return to_money(max(min(pre_petition - setoff, balance), Decimal(0)))


def remaining_pre_petition(case: BankruptcyCase, balance: Decimal) -> Decimal:
    return frozen_amount(pre_petition=case.pre_petition_balance, setoff=case.deposit_setoff, balance=balance)


@transaction.atomic(durable=True)
def bankruptcy_record(  # type: ignore[no-untyped-def]
    *,
    account_id: int,
    chapter: int,
    case_number: str,
    court: str,
    petition_date: date,
    order_for_relief_date: date | None,
    actor,
) -> BankruptcyCase:
    today = timezone.localdate()
    if chapter not in CHAPTERS:
        raise DomainError("bankruptcy.chapter", "Choose chapter 7, 11, 12 or 13.")
    if not case_number.strip():
        raise DomainError("bankruptcy.case_number", "Enter the court's case number.")
    if petition_date > today:
        raise DomainError("bankruptcy.petition_date", "The petition date cannot be in the future.")
    if order_for_relief_date and order_for_relief_date < petition_date:
        raise DomainError("bankruptcy.relief_date", "The order for relief cannot come before the petition.")
    account = accounts_lock([account_id])[account_id]
    if open_case := BankruptcyCase.objects.filter(
        account_id=account_id, status=BankruptcyStatus.OPEN
    ).first():
        raise DomainError(
            "bankruptcy.open", f"Account {account.number} already has an open case ({open_case.case_number})."
        )
    case = BankruptcyCase(
        account=account,
        chapter=chapter,
        case_number=case_number.strip(),
        court=court.strip(),
        petition_date=petition_date,
        order_for_relief_date=order_for_relief_date,
        # a credit before the petition owes nothing to freeze
        pre_petition_balance=max(balance_before(account_id=account_id, day=petition_date), Decimal(0)),
        recorded_by=actor,
    )
    case.assurance_deadline, case.deadline_reason = _deadline(case)
    case.save()
    stay = stay_apply(case=case, actor=actor, today=today)
    audit_record(
        actor=actor,
        verb="bankruptcy.record",
        target=case,
        account_id=account_id,
        data={
            "chapter": chapter,
            "case_number": case.case_number,
            "petition_date": petition_date.isoformat(),
            "pre_petition_balance": str(case.pre_petition_balance),
            "assurance_deadline": case.assurance_deadline.isoformat(),
            **stay,
        },
    )
    return case


def _open_case(case_id: int) -> BankruptcyCase:
    account_id = BankruptcyCase.objects.filter(pk=case_id).values_list("account_id", flat=True).first()
    if account_id is None:
        raise DomainError("bankruptcy.not_found", "No such bankruptcy case.")
    accounts_lock([account_id])
    case = BankruptcyCase.objects.select_for_update(no_key=True).select_related("account").get(pk=case_id)
    if case.status != BankruptcyStatus.OPEN:
        raise DomainError("bankruptcy.closed", f"This case is {case.get_status_display().lower()}.")
    return case


@transaction.atomic(durable=True)
def assurance_record(  # type: ignore[no-untyped-def]
    *, case_id: int, amount: Decimal, received_on: date, form: str, actor
) -> BankruptcyCase:
    """Adequate assurance received (366(c)(1) forms). The money itself, if cash, is taken at the
    counter as a deposit; this records that the assurance requirement is met."""
    case = _open_case(case_id)
    amount = to_money(amount)
    if amount <= 0:
        raise DomainError("bankruptcy.assurance_amount", "Enter the amount of the assurance.")
    if form not in ASSURANCE_FORMS:
        raise DomainError("bankruptcy.assurance_form", "Choose the form of the assurance.")
    if received_on < case.petition_date or received_on > timezone.localdate():
        raise DomainError(
            "bankruptcy.assurance_date", "The assurance date must be between the petition date and today."
        )
    case.assurance_amount, case.assurance_received_on, case.assurance_form = amount, received_on, form
    case.save(update_fields=["assurance_amount", "assurance_received_on", "assurance_form"])
    audit_record(
        actor=actor,
        verb="bankruptcy.assurance",
        target=case,
        account_id=case.account_id,
        data={"amount": str(amount), "received_on": received_on.isoformat(), "form": form},
    )
    return case


def deposit_offer(case: BankruptcyCase, balance: Decimal) -> Decimal:
    """How much of a held security deposit could be set off against the pre-petition bill."""
    held = SecurityDeposit.objects.filter(account_id=case.account_id, status=DepositStatus.HELD).aggregate(
        s=Sum("held_amount")
    )["s"]
    return to_money(min(held or 0, remaining_pre_petition(case, balance)))


@transaction.atomic(durable=True)
def deposit_setoff(*, case_id: int, actor) -> BankruptcyCase:  # type: ignore[no-untyped-def]
    """Apply a pre-existing security deposit to the pre-petition bill (rules.md 1.4.5, Sasser):
    a `deposit_applied` credit settles the oldest open items, which are the pre-petition charges,
    and the frozen amount shrinks by the same sum."""
    case = _open_case(case_id)
    account = case.account
    account.refresh_from_db(fields=["balance"])  # locked by _open_case
    today = timezone.localdate()
    left = remaining_pre_petition(case, account.balance)
    deposits = list(
        SecurityDeposit.objects.select_for_update(no_key=True)
        .filter(account_id=account.pk, status=DepositStatus.HELD, held_amount__gt=0)
        .order_by("held_since", "id")
    )
    total = Decimal(0)
    for deposit in deposits:
        take = min(deposit.held_amount, left - total)
        if take <= 0:
            break
        deposit.held_amount = to_money(deposit.held_amount - take)
        deposit.refunded_amount = to_money(deposit.refunded_amount + take)
        if deposit.held_amount == 0:
            deposit.status, deposit.refund_method, deposit.closed_on = DepositStatus.APPLIED, "applied", today
        deposit.save(update_fields=["held_amount", "refunded_amount", "status", "refund_method", "closed_on"])
        total += take
    if total <= 0:
        raise DomainError("bankruptcy.no_deposit", "No security deposit is held to set off.")
    _post(
        account=account,
        actor=actor,
        key_prefix=f"bk-setoff:{case.pk}:{case.deposit_setoff}",
        specs=[
            EntrySpec(
                fund_id=fund_id,
                kind=EntryKind.DEPOSIT_APPLIED,
                amount=-part,
                effective_date=today,
                reference=f"DEPOSIT SET-OFF BK {case.case_number}",
            )
            for fund_id, part in credit_distribution(account_id=account.pk, amount=total, as_of=today)
        ],
    )
    case.deposit_setoff = to_money(case.deposit_setoff + total)
    case.save(update_fields=["deposit_setoff"])
    audit_record(
        actor=actor,
        verb="bankruptcy.deposit_setoff",
        target=case,
        account_id=account.pk,
        data={"amount": str(total), "deposits": [d.pk for d in deposits]},
    )
    return case


@transaction.atomic(durable=True)
def bankruptcy_discharge(*, case_id: int, on: date, actor) -> BankruptcyCase:  # type: ignore[no-untyped-def]
    """Discharge: write off what is left of the pre-petition balance (Union City 40.03(C))."""
    case = _open_case(case_id)
    if on < case.petition_date or on > timezone.localdate():
        raise DomainError(
            "bankruptcy.date", "The discharge date must be between the petition date and today."
        )
    account = case.account
    account.refresh_from_db(fields=["balance"])  # locked by _open_case
    case.write_off = _write_off_now(
        account=account,
        amount=remaining_pre_petition(case, account.balance),
        kind=WriteOffKind.BANKRUPTCY,
        reason=f"Pre-petition debt discharged in ch. {case.chapter} case {case.case_number}.",
        actor=actor,
        key=f"wo-bankruptcy:{case.pk}",
        on=on,
    )
    case.status, case.closed_on = BankruptcyStatus.DISCHARGED, on
    case.save(update_fields=["status", "closed_on", "write_off"])
    audit_record(
        actor=actor,
        verb="bankruptcy.discharge",
        target=case,
        account_id=case.account_id,
        data={"written_off": str(case.write_off.amount if case.write_off else Decimal("0.00"))},
    )
    return case


@transaction.atomic(durable=True)
def bankruptcy_dismiss(*, case_id: int, on: date, note: str, actor) -> BankruptcyCase:  # type: ignore[no-untyped-def]
    """Dismissed: the case closes and the whole debt returns to normal collection."""
    case = _open_case(case_id)
    if on < case.petition_date or on > timezone.localdate():
        raise DomainError(
            "bankruptcy.date", "The dismissal date must be between the petition date and today."
        )
    case.status, case.closed_on, case.close_note = BankruptcyStatus.DISMISSED, on, note.strip()
    case.save(update_fields=["status", "closed_on", "close_note"])
    audit_record(
        actor=actor, verb="bankruptcy.dismiss", target=case, account_id=case.account_id, data={"note": note}
    )
    return case
