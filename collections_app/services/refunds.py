"""Refunds of credit balances: requested at the desk (or proposed nightly, `refunds_nightly`),
approved at once at or below the policy's limit and by a second person above it, issued by check
or back to the original card / electronic payment, and for checks: cashed, or returned to the
account as unclaimed after the policy's period.

Ledger: issuing posts one `refund` entry (a debit) on each fund that holds the credit, keyed
`refund:<id>:<n>` and referenced `REFUND-<id>`, and moves `Account.balance` by their sum in the
same transaction; an unclaimed check is a reversal of those entries (`refund-unclaimed:<id>:<n>`).
Every service locks the account first (id order, like every ledger writer), then the refund row,
so two people acting on one refund, or a desk action racing the nightly run, serialise.
"""

from datetime import date
from decimal import Decimal
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from accounts.models import Account, EntryKind
from accounts.services.ledger import EntrySpec, _post, accounts_lock
from collections_app.models.refunds import (
    OPEN_STATUSES,
    Refund,
    RefundLine,
    RefundMethod,
    RefundSource,
    RefundStatus,
)
from collections_app.selectors.refunds import (
    fund_credits,
    latest_original_payment,
    payment_label,
    refundable,
    refunded_from_payment,
    split_by_fund,
)
from collections_app.validators import KEY_USED_ELSEWHERE
from common.audit import audit_record
from common.exceptions import DomainError
from common.money import to_money

REQUEST_PERM = "collections_app.request_refund"
APPROVE_PERM = "collections_app.approve_refund"


def refund_limits() -> dict[str, Decimal | int]:
    """The policy's refund parameters; the minimum is never below the small-balance limit (the
    write-off job keeps such credits, Union City 40.03(E): no refund attempt)."""
    from policy.selectors import current_policy

    policy, _ = current_policy()
    minimum = max(
        to_money(policy.param("refunds.minimum")),
        to_money(policy.param("collections.small_balance_write_off")),
    )
    return {
        "minimum": minimum,
        "approval_limit": to_money(policy.param("refunds.approval_limit")),
        "waiting_days": int(policy.param("refunds.waiting_days_after_final")),
        "unclaimed_days": int(policy.param("refunds.unclaimed_after_days")),
    }


def _available(account: Account) -> tuple[Decimal, list]:  # type: ignore[type-arg]
    credits = fund_credits(account_id=account.pk)
    return refundable(account=account, credits=credits), credits


def _check_fits(account: Account, amount: Decimal, what: str) -> list:  # type: ignore[type-arg]
    available, credits = _available(account)
    if amount > available:
        raise DomainError(
            "refund.credit_changed",
            f"The account's refundable credit is now ${available:,.2f}, less than the ${amount:,.2f} "
            f"of this refund: {what}.",
        )
    return credits


def _lock(refund_id: int) -> tuple[Account, Refund]:
    account_id = Refund.objects.filter(pk=refund_id).values_list("account_id", flat=True).first()
    if account_id is None:
        raise DomainError("refund.not_found", "No such refund.")
    account = accounts_lock([account_id])[account_id]
    return account, Refund.objects.select_for_update(no_key=True).get(pk=refund_id)


def _payee(account: Account) -> tuple[str, str]:
    customer = account.customer
    return customer.display_name, customer.mailing_address


@transaction.atomic(durable=True)
def refund_request(  # type: ignore[no-untyped-def]
    *,
    account_id: int,
    amount: Decimal,
    method: str,
    reason: str,
    actor,
    idempotency_key: UUID | str,
) -> Refund:
    """Ask to refund part or all of an account's credit. At or below the policy's approval limit
    it is approved at once; above it someone else with approve-refund authority decides."""
    if not actor.has_perm(REQUEST_PERM):
        raise DomainError("refund.not_allowed", "Your role cannot request refunds.")
    key = f"refund-request:{idempotency_key}"
    account = accounts_lock([account_id])[account_id]
    if done := Refund.objects.filter(idempotency_key=key).first():
        if done.account_id != account_id:
            raise DomainError("refund.key_reused", KEY_USED_ELSEWHERE)
        return done  # a replayed form post or double click
    amount = to_money(amount)
    if amount <= 0:
        raise DomainError("refund.amount", "Enter an amount more than zero.")
    if method not in RefundMethod.values:
        raise DomainError(
            "refund.method", "Choose how the refund is paid: by check or to the original payment."
        )
    limits = refund_limits()
    available, _ = _available(account)
    if account.balance >= 0:
        raise DomainError(
            "refund.no_credit",
            f"The account has no credit balance to refund (balance ${account.balance:,.2f}).",
        )
    if available <= limits["minimum"]:
        raise DomainError(
            "refund.below_minimum",
            f"The refundable credit of ${available:,.2f} is at or below the "
            f"${limits['minimum']:,.2f} minimum: it is not refunded "
            "(the small-balance write-off keeps it, utility policy).",
        )
    if amount > available:
        held = " (a deposit held is refunded by the deposit process)" if available < -account.balance else ""
        raise DomainError(
            "refund.too_much", f"At most ${available:,.2f} can be refunded: the account's credit{held}."
        )
    if open_one := Refund.objects.filter(account_id=account_id, status__in=OPEN_STATUSES).first():
        raise DomainError(
            "refund.open",
            f"A refund of ${open_one.amount:,.2f} on this account is already "
            f"{open_one.get_status_display().lower()}: issue or cancel it first.",
        )
    payee, address = _payee(account)
    payment = None
    if method == RefundMethod.CHECK:
        if not account.customer.mail_line1.strip():
            raise DomainError(
                "refund.no_address",
                "The customer has no mailing address for the check: add it under Contact details first.",
            )
    else:
        payment = latest_original_payment(account_id=account_id)
        if payment is None:
            raise DomainError(
                "refund.no_original_payment",
                "There is no card or electronic payment on this account to refund to: refund by check.",
            )
        room = to_money(payment.amount - refunded_from_payment(payment_id=payment.pk))
        if amount > room:
            raise DomainError(
                "refund.exceeds_payment",
                f"The latest card or electronic payment ({payment_label(payment)}) can take back at most "
                f"${room:,.2f}: refund less, or by check.",
            )
        address = ""
    auto = amount <= limits["approval_limit"]
    now = timezone.now()
    refund = Refund.objects.create(
        account=account,
        amount=amount,
        method=method,
        status=RefundStatus.APPROVED if auto else RefundStatus.REQUESTED,
        source=RefundSource.DESK,
        reason=reason.strip(),
        payee=payee,
        mailing_address=address,
        payment=payment,
        requested_by=actor,
        auto_approved=auto,
        approved_at=now if auto else None,
        idempotency_key=key,
    )
    audit_record(
        actor=actor,
        verb="refund.request",
        target=refund,
        account_id=account_id,
        data={
            "amount": str(amount),
            "method": method,
            "approved_within_limit": auto,
            "approval_limit": str(limits["approval_limit"]),
            "credit": str(available),
        },
    )
    return refund


@transaction.atomic(durable=True)
def refund_decide(*, refund_id: int, approve: bool, note: str, actor) -> Refund:  # type: ignore[no-untyped-def]
    """A second person approves (four eyes: never the requester) or rejects with a reason."""
    if not actor.has_perm(APPROVE_PERM):
        raise DomainError("refund.not_allowed", "Only a supervisor can approve or reject refunds.")
    account, refund = _lock(refund_id)
    if refund.status != RefundStatus.REQUESTED:
        raise DomainError("refund.decided", f"This refund is already {refund.get_status_display().lower()}.")
    if refund.requested_by_id == actor.pk:
        raise DomainError(
            "refund.own", "A second person must decide on a refund you requested (cancel it if it is wrong)."
        )
    note = note.strip()
    now = timezone.now()
    if approve:
        _check_fits(account, refund.amount, "reject it and request the new amount")
        if refund.method == RefundMethod.CHECK and not refund.mailing_address.strip():
            # a nightly proposal for a customer who had left no address: take the one added since
            refund.payee, refund.mailing_address = _payee(account)
            if not account.customer.mail_line1.strip():
                raise DomainError(
                    "refund.no_address",
                    "The customer has no mailing address for the check: add it under Contact details "
                    "first; it is taken when you approve.",
                )
        refund.status, refund.approved_by, refund.approved_at = RefundStatus.APPROVED, actor, now
    else:
        if not note:
            raise DomainError("refund.reject_note", "Say why the refund is rejected.")
        refund.status = RefundStatus.REJECTED
    refund.decided_by, refund.decision_note = actor, note
    refund.save(
        update_fields=[
            "status",
            "approved_by",
            "approved_at",
            "decided_by",
            "decision_note",
            "payee",
            "mailing_address",
        ]
    )
    audit_record(
        actor=actor,
        verb="refund.approve" if approve else "refund.reject",
        target=refund,
        account_id=account.pk,
        data={"amount": str(refund.amount), "note": note, "payee": refund.payee},
    )
    return refund


@transaction.atomic(durable=True)
def refund_cancel(*, refund_id: int, reason: str, actor) -> Refund:  # type: ignore[no-untyped-def]
    """The requester, or someone with approve-refund authority, withdraws a refund not yet issued."""
    account, refund = _lock(refund_id)
    if refund.status not in OPEN_STATUSES:
        raise DomainError(
            "refund.not_open",
            "Only a refund not yet issued can be cancelled; "
            f"this one is {refund.get_status_display().lower()}.",
        )
    if not (
        actor.has_perm(APPROVE_PERM) or (refund.requested_by_id == actor.pk and actor.has_perm(REQUEST_PERM))
    ):
        raise DomainError(
            "refund.not_allowed", "Only the person who requested it or a supervisor can cancel it."
        )
    if not reason.strip():
        raise DomainError("refund.cancel_reason", "Say why the refund is cancelled.")
    refund.status, refund.decided_by, refund.decision_note = RefundStatus.CANCELLED, actor, reason.strip()
    refund.save(update_fields=["status", "decided_by", "decision_note"])
    audit_record(
        actor=actor,
        verb="refund.cancel",
        target=refund,
        account_id=account.pk,
        data={"amount": str(refund.amount), "reason": reason.strip()},
    )
    return refund


@transaction.atomic(durable=True)
def refund_issue(*, refund_id: int, check_number: str, actor, on: date | None = None) -> Refund:  # type: ignore[no-untyped-def]
    """Pay an approved refund: a `refund` debit on each fund holding the credit (customer-credit
    fund first), so the credit goes down by exactly the amount. Issuing twice (a double click, two
    supervisors at once) posts once: the second finds it issued under the lock and returns it."""
    if not actor.has_perm(APPROVE_PERM):
        raise DomainError("refund.not_allowed", "Only a supervisor can issue refunds.")
    account, refund = _lock(refund_id)
    check_number = check_number.strip()
    if refund.status in (RefundStatus.ISSUED, RefundStatus.CASHED, RefundStatus.UNCLAIMED):
        if refund.method == RefundMethod.CHECK and check_number and check_number != refund.check_number:
            raise DomainError(
                "refund.issued", f"This refund was already issued as check {refund.check_number}."
            )
        return refund
    if refund.status != RefundStatus.APPROVED:
        raise DomainError(
            "refund.not_approved",
            f"Only an approved refund can be issued; this one is {refund.get_status_display().lower()}.",
        )
    if refund.method == RefundMethod.CHECK:
        if not check_number or len(check_number) > 20 or not check_number.replace("-", "").isalnum():
            raise DomainError("refund.check_number", "Enter the check number (up to 20 letters and digits).")
    else:
        check_number = ""
    day = on or timezone.localdate()
    credits = _check_fits(account, refund.amount, "cancel it and request the new amount")
    plan = split_by_fund(amount=refund.amount, credits=credits)
    entries = _post(
        account=account,
        actor=actor,
        key_prefix=f"refund:{refund.pk}",
        specs=[
            EntrySpec(
                fund_id=fund.pk,
                kind=EntryKind.REFUND,
                amount=part,
                effective_date=day,
                due_date=day,
                reference=f"REFUND-{refund.pk}"
                + (f" CHECK {check_number}" if check_number else " TO ORIGINAL PAYMENT"),
            )
            for fund, part in plan
        ],
    )
    RefundLine.objects.bulk_create(
        [RefundLine(refund=refund, fund_id=e.fund_id, amount=e.amount, entry=e) for e in entries]
    )
    refund.status, refund.issued_by, refund.issued_on = RefundStatus.ISSUED, actor, day
    refund.check_number = check_number
    refund.save(update_fields=["status", "issued_by", "issued_on", "check_number"])
    audit_record(
        actor=actor,
        verb="refund.issue",
        target=refund,
        account_id=account.pk,
        data={
            "amount": str(refund.amount),
            "method": refund.method,
            "check_number": check_number,
            "funds": {fund.code: str(part) for fund, part in plan},
            "balance_after": str(account.balance),
        },
    )
    return refund
