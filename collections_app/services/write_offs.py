"""Write-offs: small balances nightly (set-based SQL), uncollectible balances on request with a
supervisor's approval, bankruptcy discharges. Every write-off posts ledger entries referenced
`WO-<id>` and keyed `wo:<id>:<n>`, and moves `Account.balance` by exactly their sum.

Recovery (money received later on a written-off account) lives in `write_off_recovery`; what the
policy finds for an uncollectible request (read only) in `selectors.write_off_review`.
"""

from datetime import date
from decimal import Decimal
from uuid import UUID

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Account, EntryKind
from accounts.selectors.open_items import OPEN_ITEMS_SQL
from accounts.services.ledger import EntrySpec, _post, accounts_lock, credit_distribution, credit_fund_id
from collections_app.models import (
    AgencyReferral,
    BatchRun,
    ReferralStatus,
    RunKind,
    RunStatus,
    WriteOff,
    WriteOffKind,
    WriteOffStatus,
)
from collections_app.selectors.write_off_review import (
    CRITERIA,
    DECEASED_DOCUMENTS,
    checks_json,
    refusal_text,
    request_check,
)
from collections_app.services.write_off_decisions import (
    WriteOffRefused,
    records_refusal,
    write_off_decision_record,
)
from collections_app.validators import KEY_USED_ELSEWHERE
from common.audit import audit_record
from common.exceptions import DomainError
from common.money import to_money

SMALL_BALANCE_REASON = "Small balance written off without action (utility policy)."  # no other city cited

# Candidates are locked in id order (the same order every ledger service locks in) and re-checked
# by PostgreSQL after the lock, so a payment that committed in between takes the account out.
# A debit balance waits until everything on it is past due: the customer keeps the due date.
# The ledger conditions are scalar subqueries on purpose: as NOT EXISTS the planner turns them
# into an anti-join over the whole ledger (a 108M-row scan, 24 s at 1M accounts); as subqueries
# they run only for the few small-balance accounts, through the (account, date) index.
_CREATE_SQL = """
WITH cand AS (
    SELECT a.id, a.balance FROM accounts_account a
    WHERE a.status IN ('final', 'closed') AND a.balance <> 0 AND abs(a.balance) <= %(limit)s
      AND NOT EXISTS (SELECT 1 FROM collections_app_agencyreferral r
                      WHERE r.account_id = a.id AND r.status = 'referred')
      AND NOT EXISTS (SELECT 1 FROM collections_app_bankruptcycase b
                      WHERE b.account_id = a.id AND b.status = 'open')
      AND NOT EXISTS (SELECT 1 FROM collections_app_writeoff w
                      WHERE w.account_id = a.id AND w.status = 'pending')
      AND (SELECT max(le.effective_date) FROM accounts_ledgerentry le WHERE le.account_id = a.id) <= %(day)s
      AND (a.balance < 0 OR (SELECT max(COALESCE(le.due_date, le.effective_date)) FROM accounts_ledgerentry le
                             WHERE le.account_id = a.id AND le.is_debit) < %(day)s)
    ORDER BY a.id
    FOR NO KEY UPDATE OF a
)
INSERT INTO collections_app_writeoff
    (account_id, kind, status, amount, criteria, reason, evidence, requested_by_id, requested_at,
     decided_by_id, decided_at, decision_note, recovered_amount, posted_on, batch_id, idempotency_key)
SELECT id, 'small_balance', 'posted', balance, 'small_balance', %(reason)s, '{}'::jsonb, NULL, now(),
       %(actor)s, now(), '', 0, %(day)s, %(run)s, 'wo-small:' || %(day)s::text || ':' || id
FROM cand
ON CONFLICT (idempotency_key) DO NOTHING
"""

# One statement: the entries and the balances they move. A debit balance is credited fund by fund
# exactly as its open items stand (their sum is the balance); a credit balance is kept by the
# utility (no refund attempt, 40.03(E)) with one debit adjustment on the customer-credit fund,
# because write_off entries are credits by the ledger's sign rule.
_POST_SQL = """
WITH wo AS (
    SELECT w.id, w.account_id, w.amount FROM collections_app_writeoff w WHERE w.batch_id = %(run)s
),
items AS ({open_items}),
parts AS (
    SELECT wo.id AS wo_id, wo.account_id, i.fund_id, -SUM(i.unpaid) AS amount,
           'write_off' AS kind, false AS is_debit, NULL::date AS due
    FROM wo JOIN items i ON i.account_id = wo.account_id
    WHERE wo.amount > 0 GROUP BY wo.id, wo.account_id, i.fund_id
    UNION ALL
    SELECT wo.id, wo.account_id, %(credit_fund)s, -wo.amount, 'adjustment', true, %(day)s::date
    FROM wo WHERE wo.amount < 0
),
ins AS (
    INSERT INTO accounts_ledgerentry
        (account_id, fund_id, kind, amount, is_debit, effective_date, due_date, bill_id, reference,
         reversal_of_id, created_by_id, created_at, idempotency_key)
    SELECT account_id, fund_id, kind, amount, is_debit, %(day)s, due, NULL, 'WO-' || wo_id, NULL,
           %(actor)s, now(),
           'wo:' || wo_id || ':' || (row_number() OVER (PARTITION BY wo_id ORDER BY fund_id) - 1)
    FROM parts WHERE amount <> 0
    RETURNING account_id, amount
)
UPDATE accounts_account a SET balance = a.balance + s.delta
FROM (SELECT account_id, SUM(amount) AS delta FROM ins GROUP BY account_id) s
WHERE a.id = s.account_id
"""

_AUDIT_SQL = """
INSERT INTO common_auditevent
    (at, actor_id, actor_label, verb, target_type_id, target_id, target_label, account_id, ip_address, data)
SELECT now(), %(actor)s, %(actor_label)s, 'write_off.small_balance', %(content_type)s, w.id::text,
       'Write-off $' || w.amount || ' (Posted)', w.account_id, NULL,
       jsonb_build_object('amount', w.amount::text, 'run', %(run)s, 'business_date', %(day)s::text)
FROM collections_app_writeoff w WHERE w.batch_id = %(run)s
"""


def _small_balance_limit() -> Decimal:
    from policy.selectors import current_policy

    policy, _ = current_policy()
    return to_money(policy.param("collections.small_balance_write_off"))


@transaction.atomic(durable=True)
def small_balance_run(*, business_date: date, actor=None) -> BatchRun:  # type: ignore[no-untyped-def]
    """Write off every final/closed account whose balance (debit or credit) is within the policy's
    small-balance limit. Once per business date: a second run returns the first run's record."""
    from policy.selectors import current_version

    version = current_version()
    run, _ = BatchRun.objects.get_or_create(
        kind=RunKind.WRITE_OFF,
        business_date=business_date,
        defaults={"policy_version": version, "started_by": actor},
    )
    run = BatchRun.objects.select_for_update(no_key=True).get(pk=run.pk)
    if run.status == RunStatus.FINISHED:
        return run  # checked under the run's lock: a replayed task posts nothing twice
    limit = _small_balance_limit()
    actor_id = actor.pk if actor is not None else None
    params = {
        "day": business_date,
        "as_of": business_date,
        "limit": limit,
        "run": run.pk,
        "actor": actor_id,
        "reason": SMALL_BALANCE_REASON,
        "credit_fund": credit_fund_id(),
        "actor_label": actor.get_username() if actor is not None else "",
        "content_type": ContentType.objects.get_for_model(WriteOff).pk,
    }
    open_items = OPEN_ITEMS_SQL.format(
        account_filter="AND le.account_id IN (SELECT account_id FROM collections_app_writeoff "
        "WHERE batch_id = %(run)s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(_CREATE_SQL, params)
        cursor.execute(_POST_SQL.format(open_items=open_items), params)
        cursor.execute(_AUDIT_SQL, params)
        cursor.execute(
            """SELECT count(*) FILTER (WHERE w.amount > 0),
                      COALESCE(SUM(w.amount) FILTER (WHERE w.amount > 0), 0),
                      count(*) FILTER (WHERE w.amount < 0),
                      COALESCE(SUM(w.amount) FILTER (WHERE w.amount < 0), 0),
                      count(*) FILTER (WHERE a.balance <> 0)
               FROM collections_app_writeoff w JOIN accounts_account a ON a.id = w.account_id
               WHERE w.batch_id = %(run)s""",
            params,
        )
        debits, debit_total, credits, credit_total, unbalanced = cursor.fetchone()
    if unbalanced:  # the open items did not add up to the balance: post nothing, say so
        raise DomainError(
            "write_off.unbalanced", f"{unbalanced} account(s) would not reach a zero balance; nothing posted."
        )
    run.total = run.done = debits + credits
    run.counts = {
        "debit_accounts": debits,
        "debit_written_off": str(to_money(debit_total)),
        "credit_accounts": credits,
        "credit_written_off": str(to_money(-credit_total)),
        "limit": str(limit),
    }
    run.status, run.finished_at = RunStatus.FINISHED, timezone.now()
    run.save(update_fields=["total", "done", "counts", "status", "finished_at"])
    audit_record(actor=actor, verb="write_off.small_balance_run", target=run, data=run.counts)
    return run


@records_refusal
@transaction.atomic(durable=True)
def write_off_request(  # type: ignore[no-untyped-def]
    *,
    account_id: int,
    criteria: str,
    reason: str,
    actor,
    idempotency_key: UUID | str,
    document: str = "",
) -> WriteOff:
    """A collections officer asks to write off an uncollectible balance; a supervisor decides.
    The policy must find it eligible (final, no service, nothing holding it, past due long enough,
    the criterion's evidence on record); only what is past due long enough is asked for."""
    key = f"wo-request:{idempotency_key}"
    account = accounts_lock([account_id])[account_id]
    if done := WriteOff.objects.filter(idempotency_key=key).first():
        if done.account_id != account_id:
            raise DomainError("write_off.key_reused", KEY_USED_ELSEWHERE)
        return done
    if criteria not in CRITERIA:
        raise DomainError("write_off.criteria", "Choose why the balance is uncollectible.")
    if not reason.strip():
        raise DomainError("write_off.reason", "Explain what was tried and why it is uncollectible.")
    if document and document not in DECEASED_DOCUMENTS:
        raise DomainError("write_off.document", "Choose the document seen from the list.")
    if account.balance <= 0:
        raise DomainError("write_off.nothing", "The account owes nothing; there is nothing to write off.")
    if WriteOff.objects.filter(account_id=account_id, status=WriteOffStatus.PENDING).exists():
        raise DomainError("write_off.pending", "A write-off of this account already awaits approval.")
    today = timezone.localdate()
    check, version = request_check(account_id=account_id, as_of=today, criteria=criteria, document=document)
    decided = {
        "account_id": account_id,
        "check": check,
        "version_id": version.pk,
        "as_of": today,
        "actor": actor,
    }
    if not check.uncollectible_eligible:
        message = "Not eligible for write-off: " + refusal_text(check)
        raise WriteOffRefused(message, **decided, subject=f"account:{account_id}")
    evidence = {"request": checks_json(check, version.version, today)}
    if criteria == "deceased_no_estate":
        evidence["document"] = document
    write_off = WriteOff.objects.create(
        account=account,
        kind=WriteOffKind.UNCOLLECTIBLE,
        amount=check.eligible_amount,
        criteria=criteria,
        reason=reason.strip(),
        evidence=evidence,
        requested_by=actor,
        idempotency_key=key,
    )
    audit_record(
        actor=actor,
        verb="write_off.request",
        target=write_off,
        account_id=account.pk,
        data={"amount": str(write_off.amount), "criteria": criteria, "balance": str(account.balance)},
    )
    write_off_decision_record(**decided, subject=f"write_off:{write_off.pk}")
    return write_off


def _post_write_off(*, write_off: WriteOff, account: Account, actor, on: date) -> None:  # type: ignore[no-untyped-def]
    """Credit the open items fund by fund, oldest first (as a payment of that size would)."""
    _post(
        account=account,
        actor=actor,
        key_prefix=f"wo:{write_off.pk}",
        specs=[
            EntrySpec(
                fund_id=fund_id,
                kind=EntryKind.WRITE_OFF,
                amount=-part,
                effective_date=on,
                reference=f"WO-{write_off.pk}",
            )
            for fund_id, part in credit_distribution(account_id=account.pk, amount=write_off.amount, as_of=on)
        ],
    )
    write_off.status, write_off.posted_on = WriteOffStatus.POSTED, on
    # The agency stops working (and charging interest on) a balance the utility wrote off.
    AgencyReferral.objects.filter(account_id=account.pk, status=ReferralStatus.REFERRED).update(
        status=ReferralStatus.WRITTEN_OFF
    )


@records_refusal
@transaction.atomic(durable=True)
def write_off_decide(*, write_off_id: int, approve: bool, note: str, actor) -> WriteOff:  # type: ignore[no-untyped-def]
    if not actor.has_perm("collections_app.approve_writeoff"):
        raise DomainError("write_off.not_allowed", "Only a supervisor can decide on write-offs.")
    account_id = WriteOff.objects.filter(pk=write_off_id).values_list("account_id", flat=True).first()
    if account_id is None:
        raise DomainError("write_off.not_found", "No such write-off request.")
    account = accounts_lock([account_id])[account_id]
    write_off = WriteOff.objects.select_for_update(no_key=True).get(pk=write_off_id)
    if write_off.status != WriteOffStatus.PENDING:
        raise DomainError("write_off.decided", "This write-off was already decided.")
    if write_off.requested_by_id == actor.pk:
        raise DomainError("write_off.own", "A second person must approve a write-off you requested.")
    if not approve and not note.strip():
        raise DomainError("write_off.reject_note", "Say why the write-off is rejected.")
    requested = write_off.amount
    today = timezone.localdate()
    write_off.decided_by, write_off.decided_at, write_off.decision_note = actor, timezone.now(), note.strip()
    if approve:
        if account.balance <= 0:
            raise DomainError(
                "write_off.nothing", "The account no longer owes anything; reject the request instead."
            )
        # The second person's approval is decided by the policy again, today: a payment, a pledge,
        # service turned back on or charges aged since the request change the answer or the
        # amount (only what is past due long enough; the queue shows both figures, the trail
        # keeps the requested amount).
        check, version = request_check(
            account_id=account_id,
            as_of=today,
            criteria=write_off.criteria,
            document=(write_off.evidence or {}).get("document", ""),
        )
        decided = {"account_id": account_id, "check": check, "version_id": version.pk, "as_of": today}
        if not check.uncollectible_eligible:
            message = (
                f"The policy no longer allows this write-off: {refusal_text(check)} Reject it with a note."
            )
            raise WriteOffRefused(message, **decided, actor=actor, subject=f"write_off:{write_off.pk}")
        write_off.amount = check.eligible_amount
        write_off.evidence = {
            **(write_off.evidence or {}),
            "approval": checks_json(check, version.version, today),
        }
        _post_write_off(write_off=write_off, account=account, actor=actor, on=today)
    else:
        write_off.status = WriteOffStatus.REJECTED
    write_off.save(
        update_fields=[
            "status",
            "amount",
            "evidence",
            "posted_on",
            "decided_by",
            "decided_at",
            "decision_note",
        ]
    )
    audit_record(
        actor=actor,
        verb="write_off.approve" if approve else "write_off.reject",
        target=write_off,
        account_id=account_id,
        data={
            "requested": str(requested),
            "posted": str(write_off.amount) if approve else "0.00",
            "note": note.strip()[:200],
        },
    )
    if approve:
        write_off_decision_record(**decided, actor=actor, subject=f"write_off:{write_off.pk}")
    return write_off


def _write_off_now(  # type: ignore[no-untyped-def]
    *, account: Account, amount: Decimal, kind: str, reason: str, actor, key: str, on: date
) -> WriteOff | None:
    """Post a write-off decided elsewhere (bankruptcy discharge) on an account the caller locked."""
    amount = to_money(min(amount, account.balance))
    if amount <= 0:
        return None
    write_off = WriteOff.objects.create(
        account=account,
        kind=kind,
        amount=amount,
        criteria=kind,
        reason=reason,
        requested_by=actor,
        decided_by=actor,
        decided_at=timezone.now(),
        idempotency_key=key,
    )
    _post_write_off(write_off=write_off, account=account, actor=actor, on=on)
    write_off.save(update_fields=["status", "posted_on"])
    audit_record(
        actor=actor,
        verb=f"write_off.{kind}",
        target=write_off,
        account_id=account.pk,
        data={"amount": str(amount)},
    )
    return write_off
