"""The life of a refund check after it is issued: cashed (recorded from the bank statement), or
never cashed and returned to the account as unclaimed after the policy's period (called by the
nightly run: `refunds_nightly.refunds_unclaimed_return`). Money moves only on the return: a
reversal of each of the refund's entries, so the credit is the customer's again and the ledger
stays append-only."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Account, EntryKind
from accounts.services.ledger import EntrySpec, _post
from collections_app.models.refunds import Refund, RefundMethod, RefundStatus
from collections_app.services.refunds import APPROVE_PERM, _lock
from common.audit import audit_record
from common.exceptions import DomainError


@transaction.atomic(durable=True)
def refund_check_cashed(*, refund_id: int, check_number: str, cashed_on: date, actor) -> Refund:  # type: ignore[no-untyped-def]
    """The bank paid the check: the refund is done (it will not come back as unclaimed)."""
    if not actor.has_perm(APPROVE_PERM):
        raise DomainError("refund.not_allowed", "Only a supervisor can record a cashed refund check.")
    account, refund = _lock(refund_id)
    if refund.method != RefundMethod.CHECK:
        raise DomainError(
            "refund.not_check", "This refund went back to a card or electronic payment, not a check."
        )
    if refund.check_number != check_number.strip():
        raise DomainError(
            "refund.check_mismatch",
            f"Check {check_number.strip() or '(none)'} is not this refund's check ({refund.check_number}).",
        )
    if refund.status == RefundStatus.CASHED:
        return refund  # recorded already
    if refund.status != RefundStatus.ISSUED:
        raise DomainError(
            "refund.not_issued",
            f"Only an issued check can be cashed; this refund is {refund.get_status_display().lower()}.",
        )
    if not refund.issued_on <= cashed_on <= timezone.localdate():
        raise DomainError(
            "refund.cashed_on",
            f"The cashed date must be between the issue date ({refund.issued_on:%b %d, %Y}) and today.",
        )
    refund.status, refund.cashed_on = RefundStatus.CASHED, cashed_on
    refund.save(update_fields=["status", "cashed_on"])
    audit_record(
        actor=actor,
        verb="refund.cashed",
        target=refund,
        account_id=account.pk,
        data={"check_number": refund.check_number, "cashed_on": cashed_on.isoformat()},
    )
    return refund


def _return_unclaimed(refund: Refund, account: Account, day: date, actor) -> Decimal:  # type: ignore[no-untyped-def]
    """On a locked account and refund: reverse the refund's entries so the credit is the
    customer's again (append-only ledger: a reversal per entry, never an edit)."""
    lines = list(refund.lines.select_related("entry").order_by("id"))
    _post(
        account=account,
        actor=actor,
        key_prefix=f"refund-unclaimed:{refund.pk}",
        specs=[
            EntrySpec(
                fund_id=line.fund_id,
                kind=EntryKind.REVERSAL,
                amount=-line.entry.amount,
                effective_date=day,
                reference=f"REFUND-{refund.pk} UNCLAIMED CHECK {refund.check_number}",
                reversal_of=line.entry,
            )
            for line in lines
        ],
    )
    refund.status, refund.unclaimed_on = RefundStatus.UNCLAIMED, day
    refund.save(update_fields=["status", "unclaimed_on"])
    audit_record(
        actor=actor,
        verb="refund.unclaimed",
        target=refund,
        account_id=account.pk,
        data={
            "amount": str(refund.amount),
            "check_number": refund.check_number,
            "issued_on": refund.issued_on.isoformat() if refund.issued_on else "",
            "restored_credit": str(refund.amount),
        },
    )
    return refund.amount
