"""The nightly deposit run: installments that fall due are billed to the DEP fund, interest is
credited on each anniversary, held deposits are reviewed for refund after the policy's months of
good payment, and a final-billed account's deposit is applied to its final bill.

One transaction per business date, idempotent: the BatchRun row is locked and a finished run is
returned as is; every posting has its own idempotency key (installment, anniversary, deposit), so
a run that failed halfway and runs again posts only what is missing. The deposits that need work
are found with a few set-based queries; the accounts are locked once, in id order.
"""

from datetime import date

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import Bill, EntryKind
from accounts.services.ledger import EntrySpec, _post, accounts_lock, already_posted
from collections_app.models import (
    BatchRun,
    DepositInstallment,
    DepositStatus,
    RunKind,
    RunStatus,
    SecurityDeposit,
)
from collections_app.selectors.facts import facts_for_accounts
from collections_app.services.charges import DEPOSIT_FUND, _charge, fund_id
from collections_app.services.deposits import OPEN, _accrue, _close, _credit_interest, deposit_next_credit_on
from common.audit import audit_record
from common.dates import add_months
from common.money import to_money
from policy.selectors import current_policy
from policy_engine import amounts
from policy_engine.facts import DepositFact


def _final_deposits(day: date) -> list[SecurityDeposit]:
    """Open deposits of accounts that stopped service: final status, final bill, or a final bill
    requested for a date that has come."""
    final_bill = Bill.objects.filter(account_id=OuterRef("account_id"), is_final=True, bill_date__lte=day)
    return list(
        SecurityDeposit.objects.filter(status__in=OPEN)
        .filter(
            Q(account__status__in=["final", "closed"])
            | Q(account__final_bill_requested_on__lte=day)
            | Exists(final_bill)
        )
        .order_by("account_id", "id")
    )


def _cancel_unbilled(deposit: SecurityDeposit, account, day: date, actor) -> None:  # type: ignore[no-untyped-def]
    """A closing account is not asked for the rest of its deposit: what was billed and not paid is
    credited back on the DEP fund, and no further installment is billed."""
    owed = to_money(deposit.billed_amount - deposit.held_amount)
    key = f"deposit_cancel:{deposit.pk}"
    if owed > 0 and not already_posted(key):
        _post(
            account=account,
            actor=actor,
            key_prefix=key,
            specs=[
                EntrySpec(
                    fund_id=fund_id(DEPOSIT_FUND),
                    kind=EntryKind.ADJUSTMENT,
                    amount=-owed,
                    effective_date=day,
                    reference="DEPOSIT NOT DUE: FINAL BILL",
                )
            ],
        )
        audit_record(
            actor=actor,
            verb="deposit.unbilled_cancelled",
            target=deposit,
            account_id=account.pk,
            data={"credited": str(owed), "reason": "final bill"},
        )
    deposit.schedule.filter(billed_on__isnull=True).delete()


@transaction.atomic(durable=True)
def deposits_nightly_run(*, business_date: date | None = None, actor=None) -> BatchRun:  # type: ignore[no-untyped-def]
    day = business_date or timezone.localdate()
    policy, version = current_policy()
    run, _ = BatchRun.objects.select_for_update().get_or_create(
        kind=RunKind.DEPOSITS, business_date=day, defaults={"policy_version": version}
    )
    if run.status == RunStatus.FINISHED:
        return run
    counts = {
        "installments_billed": 0,
        "billed": "0.00",
        "interest_credits": 0,
        "interest": "0.00",
        "refunds_applied": 0,
        "refund_checks": 0,
        "final_applied": 0,
        "not_yet_refundable": 0,
    }
    final = _final_deposits(day)
    final_ids = {d.pk for d in final}
    installments = list(
        DepositInstallment.objects.filter(
            billed_on__isnull=True, due_date__lte=day, deposit__status=DepositStatus.BILLING
        )
        .exclude(deposit_id__in=final_ids)
        .select_related("deposit")
        .order_by("deposit__account_id", "number")
    )
    # held deposits with a review or an interest anniversary due (anniversaries fall 12 months
    # after the last credit, or after the day it started being held): a set-based cut
    year_ago = add_months(day, -12)
    due_now = (
        Q(review_on__lte=day)
        | Q(interest_credited_on__lte=year_ago)
        | Q(interest_credited_on__isnull=True, held_since__lte=year_ago)
    )
    held = [
        d
        for d in SecurityDeposit.objects.filter(due_now, status=DepositStatus.HELD).exclude(pk__in=final_ids)
        if (d.review_on and d.review_on <= day) or (deposit_next_credit_on(d) or date.max) <= day
    ]
    account_ids = {i.deposit.account_id for i in installments} | {d.account_id for d in held + final}
    accounts = accounts_lock(account_ids)  # id order, like every ledger writer

    billed_total = to_money(0)
    for inst in installments:
        deposit = SecurityDeposit.objects.select_for_update().get(pk=inst.deposit_id)
        if _charge(
            account=accounts[deposit.account_id],
            kind=EntryKind.DEPOSIT_BILLED,
            amount=inst.amount,
            on=day,
            reference=f"DEPOSIT {deposit.pk} #{inst.number}",
            idempotency_key=f"deposit_installment:{inst.pk}",
            actor=actor,
            fund_code=DEPOSIT_FUND,
        ):
            deposit.billed_amount = to_money(deposit.billed_amount + inst.amount)
            deposit.save(update_fields=["billed_amount"])
            billed_total += inst.amount
            counts["installments_billed"] += 1
        inst.billed_on = day
        inst.save(update_fields=["billed_on"])
    counts["billed"] = str(billed_total)

    interest_total = to_money(0)
    review = []
    for deposit in held:
        account = accounts[deposit.account_id]
        while (anniversary := deposit_next_credit_on(deposit)) is not None and anniversary <= day:
            _accrue(deposit, policy, anniversary)
            credited = _credit_interest(deposit, account, anniversary, actor)
            deposit.interest_credited_on = anniversary  # also when nothing was due (0% policies)
            interest_total += credited
            counts["interest_credits"] += 1 if credited else 0
        if deposit.review_on and deposit.review_on <= day:
            review.append(deposit)
        deposit.save()
    counts["interest"] = str(interest_total)

    facts = facts_for_accounts([d.account_id for d in review], as_of=day)
    for deposit in review:
        check = amounts.deposit_refund_check(
            policy,
            facts[deposit.account_id],
            DepositFact(deposit.held_amount, deposit.held_since, deposit.interest_credited_on),
            day,
        )
        deposit.explanation = {
            **deposit.explanation,
            "last_review": {
                "on": day.isoformat(),
                "eligible": check.eligible,
                "reason": check.reason,
                "citation": check.citation,
            },
        }
        if check.eligible:  # refunded the night it is found due, well within refund_within_days
            _close(
                deposit, accounts[deposit.account_id], policy, day, actor,
                final=False, version_id=version.pk, check=check,
            )  # fmt: skip
            counts["refunds_applied" if deposit.refund_method == "applied" else "refund_checks"] += 1
        else:
            # not yet: look again in a month (a late payment ages out of the 12-month window)
            deposit.review_on = add_months(day, 1)
            counts["not_yet_refundable"] += 1
        deposit.save()

    for deposit in final:
        locked = SecurityDeposit.objects.select_for_update().get(pk=deposit.pk)
        account = accounts[locked.account_id]
        _cancel_unbilled(locked, account, day, actor)
        if locked.held_amount > 0:
            _close(locked, account, policy, day, actor, final=True, version_id=version.pk)
        else:
            locked.status, locked.closed_on = DepositStatus.WAIVED, day
            locked.waiver_reason = "Service ended before any of the deposit was paid."
        locked.save()
        if locked.status == DepositStatus.WAIVED:  # (_close audits the refund itself)
            audit_record(
                actor=actor,
                verb="deposit.waive",
                target=locked,
                account_id=account.pk,
                data={"reason": locked.waiver_reason},
            )
        counts["final_applied"] += 1

    run.counts, run.status, run.finished_at = counts, RunStatus.FINISHED, timezone.now()
    run.total = run.done = len(installments) + len(held) + len(final)
    run.policy_version = version
    run.save()
    return run
