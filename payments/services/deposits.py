from django.db import connection, transaction
from django.utils import timezone

from common.audit import audit_record
from common.exceptions import DomainError
from common.money import to_money
from payments.models import BankDeposit, DepositStatus, DrawerSession, SessionStatus

DEPOSITABLE = (SessionStatus.CLOSED, SessionStatus.SIGNED_OFF)


@transaction.atomic(durable=True)
def deposit_prepare(*, session_ids: list[int], actor) -> BankDeposit:  # type: ignore[no-untyped-def]
    """Bundle closed drawers into one bank deposit: counted cash less each drawer's float (the
    float stays in the drawer), checks, money orders and cashier's checks. Cards settle through
    the card processor and are not deposited."""
    if not session_ids:
        raise DomainError("deposit.empty", "Choose at least one closed drawer session.")
    sessions = list(
        DrawerSession.objects.select_for_update(no_key=True).filter(pk__in=session_ids).order_by("pk")
    )
    if len(sessions) != len(set(session_ids)):
        raise DomainError("deposit.unknown", "A chosen session does not exist.")
    for s in sessions:
        if s.status not in DEPOSITABLE:
            raise DomainError("deposit.not_closed", f"Session {s} is not closed and signed off.")
        if s.bank_deposit_id:
            raise DomainError(
                "deposit.already", f"Session {s} is already in deposit {s.bank_deposit.number}."
            )
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('payments_deposit_seq')")
        number = f"DEP{timezone.localdate():%y%m%d}-{cursor.fetchone()[0]}"
    cash = to_money(sum(s.counted_cash - s.opening_float for s in sessions))
    checks = to_money(sum(s.counted_checks for s in sessions))
    other = to_money(sum(s.counted_other for s in sessions))
    deposit = BankDeposit.objects.create(
        number=number,
        cash=cash,
        checks=checks,
        other=other,
        check_count=sum(s.counted_check_count or 0 for s in sessions),
        total=cash + checks + other,
        prepared_by=actor,
    )
    DrawerSession.objects.filter(pk__in=[s.pk for s in sessions]).update(bank_deposit=deposit)
    audit_record(
        actor=actor,
        verb="deposit.prepare",
        target=deposit,
        data={"total": str(deposit.total), "sessions": [s.pk for s in sessions]},
    )
    return deposit


@transaction.atomic(durable=True)
def deposit_advance(*, deposit_id: int, actor, bank_reference: str = "") -> BankDeposit:  # type: ignore[no-untyped-def]
    deposit = BankDeposit.objects.select_for_update(no_key=True).get(pk=deposit_id)
    if deposit.status == DepositStatus.PREPARED:
        deposit.status, deposit.sent_at = DepositStatus.SENT, timezone.now()
    elif deposit.status == DepositStatus.SENT:
        if not bank_reference.strip():
            raise DomainError("deposit.reference", "Enter the bank's confirmation reference.")
        deposit.status, deposit.confirmed_at = DepositStatus.CONFIRMED, timezone.now()
        deposit.bank_reference = bank_reference.strip()[:40]
    else:
        raise DomainError("deposit.confirmed", "This deposit is already confirmed.")
    deposit.save()
    audit_record(actor=actor, verb=f"deposit.{deposit.status}", target=deposit)
    return deposit
