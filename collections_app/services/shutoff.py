"""The nightly shutoff list: a set-based SQL prefilter of delinquent accounts, then the policy
engine on the candidates only, every decision stored with the run's policy version.

Idempotent per business date. The run row is unique per (kind, date): a finished (or approved)
run is returned unchanged; a running or failed one resumes. Decisions are written per chunk with
INSERT ... ON CONFLICT (run, account) DO NOTHING, so a chunk that runs twice (a worker killed
after its commit, a message redelivered, a resumed run) adds nothing: the first decision stored
for an account in a run is the one that stands, and a restarted run produces the same list.

A run is pinned to the policy version current when it was created: a resumed run decides its
remaining accounts under the same rules as the first half.
"""

import json
import logging
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import F
from django.utils import timezone

from collections_app.models import BatchRun, CandidateStatus, RunKind, RunStatus, ShutoffCandidate
from collections_app.models.orders import ServiceOrder
from collections_app.selectors.facts import FactRows, fact_rows, facts_for_accounts, facts_from_rows
from collections_app.selectors.facts_sql import DISCONNECTABLE
from collections_app.selectors.shutoff import shutoff_run_counts
from common.audit import audit_record, audit_record_many
from common.exceptions import DomainError
from policy.selectors import current_version, policy_for_version
from policy_engine import engine
from policy_engine.decision import Decision, RuleCheck, Status
from policy_engine.policy import Policy

log = logging.getLogger(__name__)

STATUS_OF = {
    Status.ELIGIBLE: CandidateStatus.LISTED,
    Status.BLOCKED: CandidateStatus.HELD,
    Status.DEFERRED: CandidateStatus.DEFERRED,
    Status.NOT_DELINQUENT: CandidateStatus.NOT_DELINQUENT,
}

# Delinquent candidates, each account's ledger summed once. Credits settle the oldest due date
# first (the open-items rule), so an account still owes something due on or before the cutoff
# exactly when its credits are less than its debits due by then; and what is past due is at most
# its debits due before the evaluation date less its credits. Summing only positive debit lines
# over-counts what is owed (never under-counts), so the filter can keep an account the engine
# will not list but never drops one it would: the engine's due dates are never earlier than the
# printed ones, its past due never larger. The cutoff and minimum arrears are the most
# permissive over every layer of the policy.
# The sums are taken per account (LATERAL) from the ledger's covering (account, date) index: an
# index-only range scan of adjacent pages per account. Joining the whole ledger to the accounts
# instead read all of its heap (11 GB at a million accounts) and spilled the hash of 450k accounts'
# sums to disk. An account with no entries sums to nothing and is not a candidate.
PREFILTER_SQL = """
SELECT a.id FROM accounts_account a
CROSS JOIN LATERAL (
    SELECT COALESCE(SUM(le.amount) FILTER (WHERE NOT le.is_debit), 0) AS credits,
           COALESCE(SUM(le.amount) FILTER (WHERE le.is_debit AND le.amount > 0 AND {clock} <= %(cutoff)s), 0)
               AS aged,
           COALESCE(SUM(le.amount) FILTER (WHERE le.is_debit AND le.amount > 0
                                            AND COALESCE(le.due_date, le.effective_date) < %(as_of)s), 0)
               AS due
    FROM accounts_ledgerentry le WHERE le.account_id = a.id AND le.effective_date <= %(as_of)s
) owed
WHERE a.status = 'active' AND (a.balance > 0 OR %(as_of)s < %(today)s)
  AND EXISTS (SELECT 1 FROM accounts_service s WHERE s.account_id = a.id AND s.ended_on IS NULL
              AND s.status IN ('connected', 'low_flow')
              AND s.utility = ANY(%(disconnectable)s::varchar[]))
  AND owed.aged + owed.credits > 0 AND owed.due + owed.credits >= %(min_arrears)s
  {range_filter}
ORDER BY a.id
"""
DUE_CLOCK = "COALESCE(le.due_date, le.effective_date)"
# The bill date: the posting date of the charge, or its bill's own date when that is earlier.
BILL_CLOCK = (
    "LEAST(le.effective_date, COALESCE((SELECT b.bill_date FROM accounts_bill b WHERE b.id = le.bill_id), "
    "le.effective_date))"
)

# What the run page sorts and searches by (bill cycle, service address; number and name) is read
# from the account here, with the decision, so that page never joins the accounts to page a tab.
INSERT_SQL = """
INSERT INTO collections_app_shutoffcandidate
    (run_id, account_id, status, earliest_date, deciding_code, reason, citation, past_due,
     days_delinquent, action, decision, excluded, exclude_reason, decided_at, sort_cycle, sort_address,
     search_text)
SELECT %(run_id)s, v.account_id, v.status, v.earliest_date, v.code, v.reason, v.citation, v.past_due,
       v.days, v.action, v.decision::jsonb, false, '', now(), a.bill_cycle, UPPER(p.search_address),
       a.number || ' ' || UPPER(cu.search_name)
FROM unnest(%(account_ids)s::bigint[], %(statuses)s::text[], %(earliest)s::date[], %(codes)s::text[],
            %(reasons)s::text[], %(citations)s::text[], %(past_due)s::numeric[], %(days)s::int[],
            %(actions)s::text[], %(decisions)s::text[])
     AS v(account_id, status, earliest_date, code, reason, citation, past_due, days, action, decision)
JOIN accounts_account a ON a.id = v.account_id
JOIN accounts_premise p ON p.id = a.premise_id
JOIN accounts_customer cu ON cu.id = a.customer_id
ON CONFLICT (run_id, account_id) DO NOTHING
RETURNING 1
"""


def prefilter_params(policy: Policy) -> dict[str, Any]:
    """The loosest cut of every layer: the fewest days, the lowest minimum, any bill-date clock."""
    layers = (*policy.layers, policy.fallback)
    return {
        "min_days": min(layer.p("delinquency.min_days_before_disconnect") for layer in layers),
        "min_arrears": min(Decimal(layer.p("protections.min_arrears_for_disconnect")) for layer in layers),
        "bill_clock": any(layer.p("delinquency.clock_start") == "BILL_DATE" for layer in layers),
    }


def prefilter_sql(policy: Policy, *, ranged: bool = False) -> tuple[str, dict[str, Any]]:
    p = prefilter_params(policy)
    sql = PREFILTER_SQL.format(
        clock=BILL_CLOCK if p["bill_clock"] else DUE_CLOCK,
        range_filter="AND a.id BETWEEN %(lo)s AND %(hi)s" if ranged else "",
    )
    return sql, p


def shutoff_prefilter(
    *, policy: Policy, as_of: date, lo: int | None = None, hi: int | None = None
) -> list[int]:
    """Accounts the engine could possibly list on `as_of`, in id order (one SQL statement)."""
    sql, p = prefilter_sql(policy, ranged=lo is not None)
    params = {
        "as_of": as_of,
        "today": timezone.localdate(),
        "cutoff": as_of - timedelta(days=p["min_days"]),
        "min_arrears": p["min_arrears"],
        "disconnectable": list(DISCONNECTABLE),
        "lo": lo,
        "hi": hi,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _on_own_connection[T](fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`fn` on a worker thread's own connection, closed when it returns: a pool thread's
    connection is never closed by Django's request cycle and would stay open until the process
    ends."""
    try:
        return fn(*args, **kwargs)
    finally:
        connections.close_all()  # this thread's connections only


def shutoff_prefilter_parts(*, policy: Policy, as_of: date, parts: int) -> list[int]:
    """`shutoff_prefilter` over `parts` ranges of account ids at once, each on its own thread and
    connection, so the per-account sums run on as many cores of the database. Inside an open
    transaction the other connections would not see its rows: there it is one statement."""
    if parts <= 1 or connection.in_atomic_block:
        return shutoff_prefilter(policy=policy, as_of=as_of)
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM accounts_account")
        first, last = cursor.fetchone()
    if first is None:
        return []
    step = (last - first) // parts + 1
    ranges = [(first + n * step, min(first + (n + 1) * step - 1, last)) for n in range(parts)]

    with ThreadPoolExecutor(max_workers=parts, thread_name_prefix="shutoff-prefilter") as pool:
        found = list(
            pool.map(
                lambda r: _on_own_connection(shutoff_prefilter, policy=policy, as_of=as_of, lo=r[0], hi=r[1]),
                ranges,
            )
        )
    return [account_id for part in found for account_id in part]


def _check_json(check: RuleCheck | None) -> dict[str, Any] | None:
    if check is None:
        return None
    return {
        "code": check.code,
        "outcome": str(check.outcome),
        "reason": check.reason,
        "citation": check.citation,
        "step": check.step,
        "until": check.until.isoformat() if check.until else None,
        "preset": check.preset,
    }


def decision_json(decision: Decision, *, utility: str) -> dict[str, Any]:
    """What the officer sees and what a later replay needs, JSON-ready."""
    return {
        "as_of": decision.as_of.isoformat(),
        "status": str(decision.status),
        "earliest_date": decision.earliest_date.isoformat() if decision.earliest_date else None,
        "action": decision.action,
        "utility": utility,
        "deciding": _check_json(decision.deciding),
        "checks": [_check_json(c) for c in decision.checks],
        "policy_name": decision.policy_name,
        "policy_version": decision.policy_version,
        "days_delinquent": decision.days_delinquent,
        "past_due": str(decision.past_due),
        "amounts": [
            {"code": a.code, "amount": str(a.amount), "reason": a.reason, "citation": a.citation}
            for a in decision.amounts
        ],
    }


def shutoff_run_open(*, business_date: date, actor=None) -> BatchRun:  # type: ignore[no-untyped-def]
    """The run row for the business date, created (or a failed one reopened) and committed. *Run
    now* calls it in the request, before enqueueing, so the page shows the run at once."""
    with transaction.atomic(durable=True):
        run, created = BatchRun.objects.select_for_update(no_key=True).get_or_create(
            kind=RunKind.SHUTOFF,
            business_date=business_date,
            defaults={"policy_version": current_version(), "started_by": actor},
        )
        if created:
            audit_record(actor=actor, verb="shutoff_run.start", target=run, data={"date": str(business_date)})
        elif run.status == RunStatus.FAILED:
            run.status, run.error, run.finished_at = RunStatus.RUNNING, "", None
            run.heartbeat_at = timezone.now()
            run.save(update_fields=["status", "error", "finished_at", "heartbeat_at"])
            audit_record(actor=actor, verb="shutoff_run.resume", target=run)
    return run


def shutoff_run(*, business_date: date, actor=None, inline: bool = True) -> BatchRun:  # type: ignore[no-untyped-def]
    """Start (or resume) the shutoff run for a business date. `inline` decides every chunk in this
    process; otherwise the chunks go to the workers as one Celery chord (one task per chunk, then
    `shutoff_finish`), and the run is returned while they work."""
    run = shutoff_run_open(business_date=business_date, actor=actor)
    if run.status in (RunStatus.FINISHED, RunStatus.APPROVED):
        return run
    policy = policy_for_version(run.policy_version)
    ids = shutoff_prefilter_parts(policy=policy, as_of=business_date, parts=settings.SHUTOFF_PREFILTER_PARTS)
    decided = set(ShutoffCandidate.objects.filter(run=run).values_list("account_id", flat=True))
    todo = [i for i in ids if i not in decided]
    BatchRun.objects.filter(pk=run.pk).update(
        total=len(decided) + len(todo), done=len(decided), heartbeat_at=timezone.now()
    )
    size = settings.SHUTOFF_CHUNK_SIZE
    chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
    if inline or len(chunks) <= 1:
        _decide_inline(run_id=run.pk, chunks=chunks, as_of=business_date)
        return shutoff_finish(run_id=run.pk)
    from celery import chord

    from collections_app.tasks.shutoff import shutoff_chunk_task, shutoff_failed_task, shutoff_finish_task

    body = shutoff_finish_task.si(run_id=run.pk)
    body.link_error(shutoff_failed_task.s(run_id=run.pk))
    chord([shutoff_chunk_task.si(run_id=run.pk, account_ids=c) for c in chunks], body).apply_async()
    run.refresh_from_db()
    return run


def _read_facts(account_ids: list[int], as_of: date) -> FactRows:
    return _on_own_connection(fact_rows, account_ids, as_of=as_of)


def _decide_inline(*, run_id: int, chunks: list[list[int]], as_of: date) -> None:
    """Decide every chunk in this process. The fact rows of the next chunks
    (`SHUTOFF_READ_AHEAD` of them) are read on connections of their own while this thread builds
    the current chunk's facts and decides it: the database's share of a chunk (the ledger replay,
    most of it) and Python's then run on different cores instead of in turn.
    The facts are read outside any transaction either way (each statement sees what is committed),
    so reading them a chunk ahead changes nothing a decision sees. Inside an open transaction (a
    caller's atomic block, a test) another connection would not see its uncommitted rows: there
    the chunks go one after the other on this connection."""
    ahead = max(settings.SHUTOFF_READ_AHEAD, 1)
    if connection.in_atomic_block or len(chunks) <= 1:
        for chunk in chunks:
            shutoff_chunk(run_id=run_id, account_ids=chunk)
        return
    # leaving the block waits for reads still in flight (after an error too): each closes its
    # connection when it ends
    with ThreadPoolExecutor(max_workers=ahead, thread_name_prefix="shutoff-facts") as reader:
        pending = deque(reader.submit(_read_facts, chunk, as_of) for chunk in chunks[:ahead])
        for n, chunk in enumerate(chunks):
            rows = pending.popleft().result()
            if n + ahead < len(chunks):
                pending.append(reader.submit(_read_facts, chunks[n + ahead], as_of))
            shutoff_chunk(run_id=run_id, account_ids=chunk, rows=rows)


def shutoff_chunk(*, run_id: int, account_ids: list[int], rows: FactRows | None = None) -> int:
    """Decide one chunk of candidates and store the decisions. Returns how many were new.
    `rows`, when given, are the chunk's fact rows already read as of the run's business date."""
    run = BatchRun.objects.select_related("policy_version").get(pk=run_id)
    if run.status != RunStatus.RUNNING:
        return 0  # finished, approved, or failed and waiting for a resume: write nothing
    done = set(
        ShutoffCandidate.objects.filter(run_id=run_id, account_id__in=account_ids).values_list(
            "account_id", flat=True
        )
    )
    todo = [i for i in account_ids if i not in done]
    if not todo:
        return 0
    policy = policy_for_version(run.policy_version)
    day = run.business_date
    facts = facts_from_rows(rows, as_of=day) if rows is not None else facts_for_accounts(todo, as_of=day)
    decisions = {i: (engine.decide(policy, facts[i], day), facts[i].utility) for i in todo if i in facts}
    cols: dict[str, list[Any]] = {
        k: []
        for k in (
            "account_ids",
            "statuses",
            "earliest",
            "codes",
            "reasons",
            "citations",
            "past_due",
            "days",
            "actions",
            "decisions",
        )
    }
    for account_id, (decision, utility) in sorted(decisions.items()):
        deciding = decision.deciding
        cols["account_ids"].append(account_id)
        cols["statuses"].append(str(STATUS_OF[decision.status]))
        cols["earliest"].append(decision.earliest_date)
        cols["codes"].append(deciding.code if deciding else "")
        cols["reasons"].append(deciding.reason if deciding else "")
        cols["citations"].append((deciding.citation if deciding else "")[:200])
        cols["past_due"].append(decision.past_due)
        cols["days"].append(decision.days_delinquent)
        cols["actions"].append(decision.action)
        cols["decisions"].append(json.dumps(decision_json(decision, utility=utility)))
    with transaction.atomic(durable=True):
        with connection.cursor() as cursor:
            cursor.execute(INSERT_SQL, {"run_id": run_id, **cols})
            inserted = len(cursor.fetchall())
        BatchRun.objects.filter(pk=run_id).update(done=F("done") + inserted, heartbeat_at=timezone.now())
    return inserted


def shutoff_finish(*, run_id: int) -> BatchRun:
    """Close the run with its counts, or leave it failed (resumable) if accounts are missing."""
    with transaction.atomic(durable=True):
        run = BatchRun.objects.select_for_update(no_key=True).get(pk=run_id)
        if run.status != RunStatus.RUNNING:
            return run
        run.counts = shutoff_run_counts(run_id=run.pk)
        run.done = sum(run.counts["by_status"].values())
        if run.done < run.total:
            run.status = RunStatus.FAILED
            run.error = (
                f"{run.total - run.done} of {run.total} candidates not decided; run it again to finish."
            )
        else:
            run.status, run.finished_at = RunStatus.FINISHED, timezone.now()
        run.save(update_fields=["done", "counts", "status", "error", "finished_at"])
        audit_record(actor=None, verb="shutoff_run.finish", target=run, data=run.counts["by_status"])
    return run


def shutoff_fail(*, run_id: int, error: str) -> None:
    BatchRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
        status=RunStatus.FAILED, error=error[:2000]
    )


@transaction.atomic(durable=True)
def candidate_exclude(*, candidate_id: int, reason: str, actor) -> ShutoffCandidate:  # type: ignore[no-untyped-def]
    """Take an account off an unapproved list, with the officer's reason (audited)."""
    candidate = (
        ShutoffCandidate.objects.select_for_update(no_key=True)
        .select_related("run")
        .filter(pk=candidate_id)
        .first()
    )
    if candidate is None:
        raise DomainError("candidate.not_found", "No such candidate on a shutoff list.")
    if candidate.excluded:
        return candidate  # a double click: excluded once
    reason = reason.strip()
    if len(reason) < 5:
        raise DomainError(
            "candidate.reason", "Say why the account comes off the list (at least a few words)."
        )
    if candidate.run.status != RunStatus.FINISHED:
        raise DomainError(
            "candidate.run_state",
            "This list is approved already: cancel the account's service order instead."
            if candidate.run.status == RunStatus.APPROVED
            else "The list is still being computed; wait until it has finished.",
        )
    if candidate.status != CandidateStatus.LISTED:
        raise DomainError("candidate.not_listed", "Only an account on the list can be excluded from it.")
    candidate.excluded, candidate.exclude_reason = True, reason
    candidate.excluded_by, candidate.excluded_at = actor, timezone.now()
    candidate.save(update_fields=["excluded", "exclude_reason", "excluded_by", "excluded_at"])
    audit_record(
        actor=actor,
        verb="shutoff_candidate.exclude",
        target=candidate,
        account_id=candidate.account_id,
        data={"run": candidate.run_id, "reason": reason},
    )
    return candidate


APPROVE_SQL = """
INSERT INTO collections_app_serviceorder
    (account_id, kind, status, utility, candidate_id, reason, scheduled_for, after_hours, fee_amount,
     crew, created_at, created_by_id, completion_note, meter_reading, outcome, cancelled_reason,
     cancelled_code, idempotency_key)
SELECT c.account_id, c.action, 'open', COALESCE(c.decision->>'utility', 'water'), c.id,
       'Shutoff list of ' || %(day_label)s || ': ' || c.days_delinquent || ' days delinquent, $'
           || to_char(c.past_due, 'FM999,999,990.00') || ' past due',
       GREATEST(COALESCE(c.earliest_date, %(day)s), %(day)s), false, 0, '', now(), %(actor)s, '', '', '',
       '', '', 'shutoff:' || c.id
FROM collections_app_shutoffcandidate c
WHERE c.run_id = %(run_id)s AND c.status = 'listed' AND NOT c.excluded
  AND NOT EXISTS (SELECT 1 FROM collections_app_serviceorder o
                  WHERE o.account_id = c.account_id AND o.kind IN ('disconnect', 'low_flow')
                    AND o.status IN ('open', 'dispatched'))
ORDER BY c.account_id
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING id
"""


@transaction.atomic(durable=True)
def shutoff_list_approve(*, run_id: int, actor) -> tuple[BatchRun, int]:  # type: ignore[no-untyped-def]
    """Approve a finished list: one disconnect (or low-flow) order per listed, non-excluded
    account, in one INSERT ... SELECT. Approving twice creates nothing more. An account that
    already has an open disconnect order (yesterday's list) does not get a second one."""
    run = BatchRun.objects.select_for_update(no_key=True).filter(pk=run_id, kind=RunKind.SHUTOFF).first()
    if run is None:
        raise DomainError("run.not_found", "No such shutoff list.")
    if run.status == RunStatus.APPROVED:
        return run, 0
    if run.status != RunStatus.FINISHED:
        raise DomainError("run.not_finished", "The list is not finished yet; approve it once it is.")
    with connection.cursor() as cursor:
        cursor.execute(
            APPROVE_SQL,
            {
                "run_id": run.pk,
                "day": run.business_date,
                "day_label": run.business_date.strftime("%b %d, %Y"),
                "actor": actor.pk if actor is not None else None,
            },
        )
        order_ids = [row[0] for row in cursor.fetchall()]
    run.status, run.approved_by, run.approved_at = RunStatus.APPROVED, actor, timezone.now()
    run.counts = {**run.counts, "orders": len(order_ids)}
    run.save(update_fields=["status", "approved_by", "approved_at", "counts"])
    audit_record(actor=actor, verb="shutoff_list.approve", target=run, data={"orders": len(order_ids)})
    orders = ServiceOrder.objects.filter(pk__in=order_ids).only("id", "kind", "account_id")
    audit_record_many(
        actor=actor,
        verb="service_order.create",
        items=[(o, o.account_id, {"kind": o.kind, "run": run.pk}) for o in orders],
    )
    return run, len(order_ids)
