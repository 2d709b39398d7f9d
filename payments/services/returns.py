"""A returned item (NSF): a tender the bank sent back, in one action, with every side effect in
the same transaction.

A return belongs to a tender (the check, money order, electronic payment...), never to a whole
receipt or account line: on a split tender ($120 cash + a $65.51 check across two accounts) it
reverses exactly the check's stored allocations (`TenderAllocation`), on every account line the
check paid, and nothing of the cash. One fee is charged, to the account the check paid the most
(the first in account-number order on a tie); the escalation (nth return, certified funds only)
is counted for every account the check paid.
"""

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from accounts.models import Account, EntryKind, Fund, LedgerEntry
from accounts.services.ledger import EntrySpec, _post, accounts_lock
from common.audit import audit_record
from common.dates import add_months
from common.exceptions import DomainError
from common.money import to_money
from payments.models import (
    Payment,
    PaymentStatus,
    ReturnedItem,
    ReturnedLine,
    Tender,
    TenderAllocation,
    TenderKind,
)
from payments.services.hooks import payment_returned_hooks
from payments.services.nsf_decisions import nsf_decision_record
from policy.facts import account_facts
from policy.selectors import current_policy
from policy_engine import amounts
from policy_engine.amounts_plans import NsfOutcome
from policy_engine.facts import PaymentFact
from policy_engine.policy import Policy

RETURNABLE = frozenset(
    {
        TenderKind.CHECK,
        TenderKind.LOCKBOX,
        TenderKind.AGENCY,
        TenderKind.ELECTRONIC,
        TenderKind.MONEY_ORDER,
        TenderKind.CASHIERS_CHECK,
    }
)


@dataclass(frozen=True)
class NsfTerms:
    fee: Decimal  # the engine's fee for this return on this account (first or subsequent)
    in_window: int  # returns within the cash-only window, this one included
    cash_only_until: date | None
    citation: str
    outcome: NsfOutcome | None = None  # the engine's answer: the fee's reason, every rule checked


def nsf_terms(
    *, payment: Payment, amount: Decimal, returned_on: date, policy: Policy | None = None
) -> NsfTerms:
    """The engine's NSF outcome (rules.md §1.7) for one account a returned tender paid, on the
    facts the evaluate API sees: the fee (first or subsequent), and certified funds only after N
    returns in M months. The return being recorded is not stored yet: it joins the facts as `returned`.
    `policy`: the one the caller read, when it stores the decision under that version."""
    if policy is None:
        policy, _ = current_policy()
    facts = account_facts(payment.account_id, as_of=returned_on)
    returned = PaymentFact(
        paid_on=payment.business_date, amount=to_money(amount), returned=True, returned_on=returned_on
    )
    facts = replace(facts, payments=(*facts.payments, returned))  # the engine's `returned` is one of them
    outcome = amounts.nsf_outcome(policy, facts, returned_on, returned=returned)
    since = add_months(returned_on, -policy.param("nsf.cash_only_window_months"))
    in_window = [
        p for p in facts.payments if p.returned and since < (p.returned_on or p.paid_on) <= returned_on
    ]
    return NsfTerms(
        outcome.fee.amount, len(in_window), outcome.cash_only_until, outcome.fee.citation, outcome
    )


# lazy: the returned-payment letter names the item in the customer's language (it is rendered
# under translation.override); staff messages stay English (no locale middleware)
ITEM_NAMES = {
    TenderKind.CHECK: gettext_lazy("check"),
    TenderKind.LOCKBOX: gettext_lazy("check"),
    TenderKind.AGENCY: gettext_lazy("agency payment"),
    TenderKind.ELECTRONIC: gettext_lazy("electronic payment"),
    TenderKind.MONEY_ORDER: gettext_lazy("money order"),
    TenderKind.CASHIERS_CHECK: gettext_lazy("cashier's check"),
}


def tender_label(tender: Tender) -> str:
    """How the letter and the messages name the item: "check no. 1234"."""
    kind = str(ITEM_NAMES.get(tender.kind, tender.get_kind_display().lower()))
    number = tender.check_number or tender.reference
    return gettext("%(kind)s no. %(number)s") % {"kind": kind, "number": number} if number else kind


@dataclass
class _Line:
    payment: Payment
    allocations: list[TenderAllocation]

    @property
    def amount(self) -> Decimal:
        return to_money(sum((a.amount for a in self.allocations), Decimal(0)))


def _lines(tender_id: int) -> list[_Line]:
    by_payment: dict[int, list[TenderAllocation]] = defaultdict(list)
    for a in (
        TenderAllocation.objects.filter(tender_id=tender_id)
        .select_related("distribution__entry")
        .order_by("distribution__payment_id", "distribution_id")
    ):
        by_payment[a.distribution.payment_id].append(a)
    # locked in id order, the same order voids lock them (after the accounts)
    payments = Payment.objects.select_for_update(no_key=True).filter(pk__in=by_payment).order_by("pk")
    return [_Line(p, by_payment[p.pk]) for p in payments]


# Why a tender cannot come back from the bank: raised by `tender_return`, and read beforehand by
# `return_refusals` so the receipt page offers the return only where the service will take it.


def _kind_refusal(tender: Tender) -> DomainError | None:
    if tender.kind in RETURNABLE:
        return None
    return DomainError(
        "nsf.tender",
        f"{tender.get_kind_display()} cannot come back as a returned item: only checks, money "
        "orders, cashier's checks and electronic, lockbox or agency payments can (a card "
        "dispute is a chargeback).",
    )


def _already_refusal(tender: Tender) -> DomainError | None:
    if not hasattr(tender, "returned"):
        return None
    return DomainError(
        "nsf.already",
        f"This {tender_label(tender)} was already recorded as returned on "
        f"{tender.returned.returned_on:%b %d, %Y}.",
    )


def _paid_refusal(tender: Tender, payments: list[Payment], moved: bool) -> DomainError | None:
    """`payments`: those the tender paid; `moved`: part of what it paid was reversed since."""
    if not payments:
        return DomainError("nsf.unallocated", "This tender paid nothing that could be reversed.")
    for payment in payments:
        if payment.status not in PaymentStatus.returnable():
            return DomainError(
                "nsf.state",
                f"The payment to account {payment.account.number} is "
                f"{payment.get_status_display().lower()}; only a posted payment can be returned.",
            )
    if moved:
        return DomainError(
            "nsf.moved",
            f"Part of what this {tender_label(tender)} paid was already reversed (moved to another "
            "account); record the return with an adjustment instead.",
        )
    return None


def return_refusals(tenders: list[Tender]) -> dict[int, str]:
    """Why each of these tenders (one receipt's) cannot be recorded as returned now, by tender id;
    a tender absent from the answer can be. The checks `tender_return` makes before the date and
    reason, read without locks in two queries (the service checks again under its locks)."""
    refusals: dict[int, str] = {}
    candidates = []
    for tender in tenders:
        if refusal := _kind_refusal(tender) or _already_refusal(tender):
            refusals[tender.pk] = refusal.message
        else:
            candidates.append(tender)
    if not candidates:
        return refusals
    allocations = list(
        TenderAllocation.objects.filter(tender__in=candidates)
        .select_related("distribution__payment__account")
        .order_by("distribution__payment_id", "distribution_id")
    )
    reversed_entries = set(
        LedgerEntry.objects.filter(
            reversal_of_id__in=[a.distribution.entry_id for a in allocations]
        ).values_list("reversal_of_id", flat=True)
    )
    for tender in candidates:
        mine = [a for a in allocations if a.tender_id == tender.pk]
        payments = list({a.distribution.payment_id: a.distribution.payment for a in mine}.values())
        moved = any(a.distribution.entry_id in reversed_entries for a in mine)
        if refusal := _paid_refusal(tender, payments, moved):
            refusals[tender.pk] = refusal.message
    return refusals


def _validate(tender: Tender, lines: list[_Line], returned_on: date, reason: str) -> None:
    if refusal := _already_refusal(tender):
        raise refusal
    entry_ids = [a.distribution.entry_id for line in lines for a in line.allocations]
    moved = bool(lines) and LedgerEntry.objects.filter(reversal_of_id__in=entry_ids).exists()
    if refusal := _paid_refusal(tender, [line.payment for line in lines], moved):
        raise refusal
    if not reason.strip():
        raise DomainError("nsf.reason", "Give the bank's return reason (e.g. NSF, account closed).")
    if returned_on < tender.transaction.business_date or returned_on > timezone.localdate():
        raise DomainError("nsf.date", "The return date must be between the payment date and today.")


def _fee_line(lines: list[_Line]) -> _Line:
    """The one fee goes to the account this item paid the most; on a tie, the first account."""
    return max(sorted(lines, key=lambda ln: ln.payment.account.number), key=lambda ln: ln.amount)


@transaction.atomic(durable=True)
def tender_return(
    *,
    tender_id: int,
    returned_on: date,
    reason: str,
    actor,  # type: ignore[no-untyped-def]
    idempotency_key: UUID | str,
) -> ReturnedItem:
    key = f"nsf:{idempotency_key}"
    tender = Tender.objects.select_related("transaction").filter(pk=tender_id).first()
    if tender is None:
        raise DomainError("nsf.tender_unknown", "No such tender.")
    if refusal := _kind_refusal(tender):
        raise refusal
    account_ids = TenderAllocation.objects.filter(tender_id=tender_id).values_list(
        "distribution__payment__account_id", flat=True
    )
    # Every account the tender paid, in id order, before anything is read to decide.
    locked = accounts_lock(account_ids)
    if done := ReturnedItem.objects.filter(idempotency_key=key).first():
        if done.tender_id != tender_id:
            # a form key copied onto another item's form must not answer with that item's return
            raise DomainError(
                "nsf.key_reused", "This form was already used for another item; reload the page."
            )
        return done  # a replayed request: the first recording stands
    lines = _lines(tender_id)
    # The tender row serialises two returns of the same item; its unique item is the backstop.
    tender = Tender.objects.select_for_update(no_key=True).select_related("transaction").get(pk=tender_id)
    for line in lines:
        line.payment.account = locked[line.payment.account_id]
        line.payment.transaction = tender.transaction
    _validate(tender, lines, returned_on, reason)
    receipt = tender.transaction.receipt_number
    label = tender_label(tender)

    # 1. exactly the tender's allocations are reversed, each pointing at the entry it reverses
    today = timezone.localdate()
    for line in lines:
        _post(
            account=line.payment.account,
            actor=actor,
            key_prefix=f"{key}:rev:{line.payment.pk}",
            specs=[
                EntrySpec(
                    fund_id=a.distribution.fund_id,
                    kind=EntryKind.PAYMENT_REVERSAL,
                    amount=a.amount,
                    effective_date=today,
                    reference=f"RETURNED {receipt} {label}"[:60],
                    reversal_of=a.distribution.entry,
                )
                for a in line.allocations
            ],
        )
        payment = line.payment
        payment.returned_amount = to_money(payment.returned_amount + line.amount)
        payment.status = (
            PaymentStatus.RETURNED
            if payment.returned_amount == payment.amount
            else PaymentStatus.PART_RETURNED
        )
        payment.save(update_fields=["returned_amount", "status"])
    # 2. escalation per account it paid; one fee, by the fee account's count
    terms: dict[int, NsfTerms] = {}
    policy, version = current_policy()  # one version decides the whole return
    for ln in lines:  # one return per account, however many of its payments the tender paid
        if ln.payment.account_id not in terms:
            terms[ln.payment.account_id] = nsf_terms(
                payment=ln.payment, amount=ln.amount, returned_on=returned_on, policy=policy
            )
    fee_line = _fee_line(lines)
    fee_account: Account = fee_line.payment.account
    fee_terms = terms[fee_account.pk]
    in_window, fee_cash_only, fee = fee_terms.in_window, fee_terms.cash_only_until, to_money(fee_terms.fee)
    fee_entry = None  # a policy fee of $0 (waived) posts no entry
    if fee > 0:
        [fee_entry] = _post(
            account=fee_account,
            actor=actor,
            key_prefix=f"{key}:fee",
            specs=[
                EntrySpec(
                    fund_id=Fund.objects.get(code="FEE").pk,
                    kind=EntryKind.FEE,
                    amount=fee,
                    effective_date=returned_on,
                    due_date=returned_on,
                    reference=f"NSF FEE {receipt}",
                )
            ],
        )
    # 3. certified funds only after N returns in M months, on each account it paid
    for account_id, t in terms.items():
        account, until = locked[account_id], t.cash_only_until
        if until and (account.cash_only_until is None or account.cash_only_until < until):
            account.cash_only_until = until
            account.save(update_fields=["cash_only_until"])
    item = ReturnedItem.objects.create(
        tender=tender,
        amount=to_money(sum((ln.amount for ln in lines), Decimal(0))),
        returned_on=returned_on,
        reason=reason.strip()[:60],
        fee=fee,
        fee_account=fee_account,
        fee_entry=fee_entry,
        nth_in_window=in_window,
        cash_only_until=fee_cash_only,
        recorded_by=actor,
        idempotency_key=key,
    )
    ReturnedLine.objects.bulk_create(
        [
            ReturnedLine(
                item=item,
                payment=line.payment,
                amount=line.amount,
                nth_in_window=terms[line.payment.account_id].in_window,
                cash_only_until=terms[line.payment.account_id].cash_only_until,
            )
            for line in lines
        ]
    )
    for line in lines:
        account_id = line.payment.account_id
        audit_record(
            actor=actor,
            verb="payment.returned",
            target=line.payment,
            account_id=account_id,
            data={
                "amount": str(line.amount),
                "item": label,
                "item_amount": str(item.amount),
                "fee": str(fee) if account_id == fee_account.pk else "0.00",
                "in_window": terms[account_id].in_window,
                "fee_citation": terms[account_id].citation,
                "reason": item.reason,
                "cash_only_until": until.isoformat()
                if (until := terms[account_id].cash_only_until)
                else None,
            },
        )
    nsf_decision_record(item=item, terms=fee_terms, policy=policy, version_id=version.pk, actor=actor)
    # 4. counseling re-opens what the returned money had paid (installments, pledges), collections
    #    takes back deposits and recoveries; each hears the part of its payment taken back.
    for line in lines:
        funds: dict[int, Decimal] = defaultdict(Decimal)
        for a in line.allocations:
            funds[a.distribution.fund_id] += a.amount
        for hook in payment_returned_hooks:
            hook(payment=line.payment, returned=item, amount=line.amount, funds=dict(funds))
    return item
