"""The nightly refund run, once per business date: (1) final and closed accounts whose credit is
above the policy's minimum, whose final bill is older than the waiting period, get a proposed
refund by check for staff to review (set-based: one INSERT ... SELECT and one audit INSERT);
(2) refund checks issued longer ago than the unclaimed period and never cashed return to their
accounts as unclaimed (a reversal of the refund's entries).

Idempotent: the BatchRun row for the date is locked and a finished run is returned as is; the
proposals are keyed per date and account and skip any account with a refund open (or one rejected,
cancelled or returned unclaimed: staff request those again by hand once they know why).
"""

from datetime import date, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from accounts.services.ledger import accounts_lock
from collections_app.models import BatchRun, RunKind, RunStatus
from collections_app.models.refunds import Refund, RefundMethod, RefundStatus
from collections_app.services.refund_checks import _return_unclaimed
from collections_app.services.refunds import refund_limits
from common.audit import audit_record
from common.money import to_money

PROPOSAL_REASON = "Proposed by the nightly run: credit left on a final account after the waiting period."

# The candidates' credit per fund is summed for those accounts only (a few, through the
# (account, date) index), never over the whole ledger. A deposit fund is left out, as at the desk.
# Accounts are locked in id order, like every ledger writer; ON CONFLICT DO NOTHING (no target)
# also absorbs the one-open-refund-per-account index, should a desk request commit in between.
_PROPOSE_SQL = """
WITH cand AS (
    SELECT a.id, a.balance, a.customer_id FROM accounts_account a
    WHERE a.status IN ('final', 'closed') AND a.balance < -%(minimum)s
      AND COALESCE((SELECT max(b.bill_date) FROM accounts_bill b WHERE b.account_id = a.id AND b.is_final),
                   a.final_bill_requested_on) <= %(cutoff)s
      AND NOT EXISTS (SELECT 1 FROM collections_app_refund r WHERE r.account_id = a.id
                      AND r.status IN ('requested', 'approved', 'rejected', 'cancelled', 'unclaimed'))
      AND NOT EXISTS (SELECT 1 FROM collections_app_bankruptcycase k
                      WHERE k.account_id = a.id AND k.status = 'open')
    ORDER BY a.id
    FOR NO KEY UPDATE OF a
),
per_fund AS (
    SELECT le.account_id, le.fund_id, SUM(le.amount) AS balance
    FROM accounts_ledgerentry le JOIN cand ON cand.id = le.account_id
    GROUP BY le.account_id, le.fund_id
),
held AS (
    SELECT p.account_id, -SUM(p.balance) AS credit
    FROM per_fund p JOIN accounts_fund f ON f.id = p.fund_id AND f.kind <> 'deposit'
    WHERE p.balance < 0 GROUP BY p.account_id
)
INSERT INTO collections_app_refund
    (account_id, amount, method, status, source, reason, payee, mailing_address, payment_id,
     requested_by_id, requested_at, auto_approved, approved_by_id, approved_at, decided_by_id,
     decision_note, issued_by_id, issued_on, check_number, cashed_on, unclaimed_on, batch_id,
     idempotency_key)
SELECT cand.id, LEAST(-cand.balance, held.credit), 'check', 'requested', 'nightly', %(reason)s,
       CASE WHEN c.kind = 'business' THEN c.business_name
            ELSE btrim(c.first_name || ' ' || c.last_name) END,
       CASE WHEN btrim(c.mail_line1) = '' THEN ''
            ELSE concat_ws(E'\\n', c.mail_line1, NULLIF(btrim(c.mail_line2), ''),
                           c.mail_city || ', ' || c.mail_state || ' ' || c.mail_postal_code) END,
       NULL, NULL, now(), false, NULL, NULL, NULL, '', NULL, NULL, '', NULL, NULL, %(run)s,
       'refund-nightly:' || %(day)s::text || ':' || cand.id
FROM cand JOIN held ON held.account_id = cand.id JOIN accounts_customer c ON c.id = cand.customer_id
WHERE LEAST(-cand.balance, held.credit) > %(minimum)s
ORDER BY cand.id
ON CONFLICT DO NOTHING
"""

_AUDIT_SQL = """
INSERT INTO common_auditevent
    (at, actor_id, actor_label, verb, target_type_id, target_id, target_label, account_id, ip_address, data)
SELECT now(), %(actor)s, %(actor_label)s, 'refund.propose', %(content_type)s, r.id::text,
       'Refund $' || r.amount || ' (Awaiting approval)', r.account_id, NULL,
       jsonb_build_object('amount', r.amount::text, 'method', r.method, 'run', %(run)s,
                          'business_date', %(day)s::text)
FROM collections_app_refund r WHERE r.batch_id = %(run)s
"""


def _propose(run: BatchRun, day: date, limits: dict, actor) -> tuple[int, str]:  # type: ignore[type-arg, no-untyped-def]
    params = {
        "day": day,
        "cutoff": day - timedelta(days=int(limits["waiting_days"])),
        "minimum": limits["minimum"],
        "reason": PROPOSAL_REASON,
        "run": run.pk,
        "actor": actor.pk if actor is not None else None,
        "actor_label": actor.get_username() if actor is not None else "",
        "content_type": ContentType.objects.get_for_model(Refund).pk,
    }
    with connection.cursor() as cursor:
        cursor.execute(_PROPOSE_SQL, params)
        cursor.execute(_AUDIT_SQL, params)
        cursor.execute(
            "SELECT count(*), COALESCE(SUM(amount), 0) FROM collections_app_refund WHERE batch_id = %s",
            [run.pk],
        )
        n, total = cursor.fetchone()
    return n, str(to_money(total))


@transaction.atomic(durable=True)
def refunds_unclaimed_return(*, business_date: date, actor=None) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """Checks issued on or before the policy's cutoff and never cashed go back to their accounts.
    Its own transaction, apart from the proposals: each locks its accounts in id order once, so
    neither can deadlock with a service that locks several accounts. Safe to run twice: a check
    already returned (or cashed) is no longer `issued`."""
    limits = refund_limits()
    cutoff = business_date - timedelta(days=int(limits["unclaimed_days"]))
    due = list(
        Refund.objects.filter(
            status=RefundStatus.ISSUED, method=RefundMethod.CHECK, issued_on__lte=cutoff
        ).values_list("pk", "account_id")
    )
    accounts = accounts_lock(a for _, a in due)  # id order, before any refund row
    total, n = to_money(0), 0
    for refund in (
        Refund.objects.select_for_update(no_key=True).filter(pk__in=[pk for pk, _ in due]).order_by("pk")
    ):
        if refund.status != RefundStatus.ISSUED:  # cashed while we waited for the lock
            continue
        total += _return_unclaimed(refund, accounts[refund.account_id], business_date, actor)
        n += 1
    return n, str(total)


@transaction.atomic(durable=True)
def refunds_propose_run(  # type: ignore[no-untyped-def]
    *, business_date: date, actor=None, unclaimed: tuple[int, str] = (0, "0.00")
) -> BatchRun:
    from policy.selectors import current_version

    run, _ = BatchRun.objects.get_or_create(
        kind=RunKind.REFUNDS,
        business_date=business_date,
        defaults={"policy_version": current_version(), "started_by": actor},
    )
    run = BatchRun.objects.select_for_update(no_key=True).get(pk=run.pk)
    if run.status == RunStatus.FINISHED:
        return run  # checked under the run's lock: a replayed task proposes nothing twice
    limits = refund_limits()
    proposed, proposed_total = _propose(run, business_date, limits, actor)
    run.total = run.done = proposed + unclaimed[0]
    run.counts = {
        "proposed": proposed,
        "proposed_total": proposed_total,
        "unclaimed": unclaimed[0],
        "unclaimed_total": unclaimed[1],
        "minimum": str(limits["minimum"]),
        "waiting_days": limits["waiting_days"],
        "unclaimed_days": limits["unclaimed_days"],
    }
    run.status, run.finished_at = RunStatus.FINISHED, timezone.now()
    run.save(update_fields=["total", "done", "counts", "status", "finished_at"])
    audit_record(actor=actor, verb="refund.nightly_run", target=run, data=run.counts)
    return run


def refunds_nightly_run(*, business_date: date | None = None, actor=None) -> BatchRun:  # type: ignore[no-untyped-def]
    """Unclaimed checks first (a check returned tonight is not proposed again), then proposals."""
    day = business_date or timezone.localdate()
    unclaimed = refunds_unclaimed_return(business_date=day, actor=actor)
    return refunds_propose_run(business_date=day, actor=actor, unclaimed=unclaimed)
