"""Fees and charges collections puts on an account (late, notice, trip, reconnection, deposit
installments, agency fee and interest). One place so every area posts them the same way: to the
FEE (or DEP) fund, due the day they are charged (unless said otherwise), keyed so a replay posts
nothing twice."""

from datetime import date
from decimal import Decimal

from django.db import transaction

from accounts.models import Account, Fund
from accounts.services.ledger import EntrySpec, _post, accounts_lock, already_posted
from common.audit import audit_record
from common.exceptions import DomainError
from common.money import to_money

FEE_FUND = "FEE"
DEPOSIT_FUND = "DEP"


def fund_id(code: str) -> int:
    return Fund.objects.only("id").get(code=code).pk


def _charge(  # type: ignore[no-untyped-def]
    *,
    account: Account,
    kind: str,
    amount: Decimal,
    on: date,
    reference: str,
    idempotency_key: str,
    actor,
    fund_code: str = FEE_FUND,
    due: date | None = None,
) -> bool:
    """Post one charge on an account the caller has locked. False if already posted (replay).
    Due the day it is charged unless the caller gives a later due date."""
    amount = to_money(amount)
    if amount < 0:
        raise DomainError("charge.negative", "A charge cannot be negative; post a credit instead.")
    if amount == 0 or already_posted(idempotency_key):
        return False
    _post(
        account=account,
        actor=actor,
        key_prefix=idempotency_key,
        specs=[
            EntrySpec(
                fund_id=fund_id(fund_code),
                kind=kind,
                amount=amount,
                effective_date=on,
                due_date=due or on,
                reference=reference,
            )
        ],
    )
    audit_record(
        actor=actor,
        verb=f"charge.{kind}",
        target=account,
        account_id=account.pk,
        data={"amount": str(amount), "reference": reference},
    )
    return True


@transaction.atomic(durable=True)
def charge_post(  # type: ignore[no-untyped-def]
    *,
    account_id: int,
    kind: str,
    amount: Decimal,
    on: date,
    reference: str,
    idempotency_key: str,
    actor,
    fund_code: str = FEE_FUND,
) -> bool:
    account = accounts_lock([account_id])[account_id]
    return _charge(
        account=account,
        kind=kind,
        amount=amount,
        on=on,
        reference=reference,
        idempotency_key=idempotency_key,
        actor=actor,
        fund_code=fund_code,
    )
