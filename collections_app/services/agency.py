"""Collection-agency referrals: the nightly batch of final-billed accounts, the collection fee at
referral, monthly interest while referred, recall, and the agency's remittance file.

Fee and interest follow Yuma Code 193-71 as the policy states them (rules.md 1.9): the fee is the
policy's (or the agency's own) percentage of the balance referred, charged once at referral;
interest is simple, per month from the referral date, on the unpaid principal and fee (never on
interest), one charge per referral-month, keyed so a rerun charges nothing twice.
"""

import hashlib
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Account, EntryKind
from accounts.services.ledger import accounts_lock
from collections_app.models import (
    AgencyReferral,
    BatchRun,
    CollectionAgency,
    ReferralStatus,
    RunKind,
    RunStatus,
)
from collections_app.models.recovery import AgencyRemittance, AgencyRemittanceLine
from collections_app.services.charges import _charge
from common.audit import audit_record
from common.csvimport import csv_rows, parse_money
from common.dates import add_months
from common.exceptions import DomainError, ImportRejected
from common.money import to_money

CHUNK = 500

# Final-billed accounts owing more than a small balance (those are written off), billed long
# enough ago, with nothing else holding them: no referral ever (a recalled account is not sent
# again by the batch), no open bankruptcy (11 U.S.C. 362 stay), no arrangement in force, no small
# claim in court, no write-off pending.
CANDIDATES_SQL = """
SELECT a.id FROM accounts_account a
WHERE a.status IN ('final', 'closed') AND a.balance > %(small)s
  AND COALESCE((SELECT max(b.bill_date) FROM accounts_bill b WHERE b.account_id = a.id AND b.is_final),
               a.final_bill_requested_on) <= %(cutoff)s
  AND NOT EXISTS (SELECT 1 FROM collections_app_agencyreferral r WHERE r.account_id = a.id)
  AND NOT EXISTS (SELECT 1 FROM collections_app_bankruptcycase k
                  WHERE k.account_id = a.id AND k.status = 'open')
  AND NOT EXISTS (SELECT 1 FROM counseling_arrangement g
                  WHERE g.account_id = a.id AND g.status IN ('active', 'pending_approval'))
  AND NOT EXISTS (SELECT 1 FROM collections_app_smallclaim s
                  WHERE s.account_id = a.id AND s.status IN ('filed', 'hearing_set', 'judgment'))
  AND NOT EXISTS (SELECT 1 FROM collections_app_writeoff w WHERE w.account_id = a.id AND w.status = 'pending')
ORDER BY a.id
"""


def _policy():  # type: ignore[no-untyped-def]
    from policy.selectors import current_policy

    return current_policy()


@transaction.atomic(durable=True)
def collection_agency_save(  # type: ignore[no-untyped-def]
    *, agency_id: int | None, name: str, contact: str, fee_pct: Decimal | None, active: bool, actor
) -> CollectionAgency:
    """Reference data kept by the administrator; a changed fee applies to later referrals only."""
    agency = CollectionAgency.objects.select_for_update(no_key=True).get(pk=agency_id) if agency_id else None
    agency = agency or CollectionAgency()
    agency.name, agency.contact, agency.fee_pct, agency.active = (
        name.strip(),
        contact.strip(),
        fee_pct,
        active,
    )
    agency.full_clean()
    agency.save()
    audit_record(
        actor=actor,
        verb="collection_agency.save",
        target=agency,
        data={
            "name": agency.name,
            "fee_pct": str(fee_pct) if fee_pct is not None else None,
            "active": active,
        },
    )
    return agency


def _agencies(agency_id: int | None) -> list[CollectionAgency]:
    qs = CollectionAgency.objects.filter(active=True).order_by("id")
    if agency_id is not None:
        qs = qs.filter(pk=agency_id)
    return list(qs)


def _refer_chunk(  # type: ignore[no-untyped-def]
    *, ids: list[int], run: BatchRun, agencies: list[CollectionAgency], offset: int, actor
) -> tuple[int, int]:
    """Refer the accounts the engine finds due, in one transaction. Returns (referred, not due)."""
    from collections_app.selectors.facts import facts_for_accounts
    from policy_engine.amounts import agency_fee, referral_due
    from policy_engine.decision import Outcome

    policy, _ = _policy()
    day = run.business_date
    facts = facts_for_accounts(ids, as_of=day)
    due = [i for i in ids if i in facts and referral_due(policy, facts[i], day).outcome == Outcome.SATISFIED]
    if not due:
        return 0, len(ids)
    referred = 0
    with transaction.atomic():
        locked = accounts_lock(due)
        already = set(
            AgencyReferral.objects.filter(account_id__in=due, status=ReferralStatus.REFERRED).values_list(
                "account_id", flat=True
            )
        )
        for n, account_id in enumerate(due):
            account = locked[account_id]
            if account.balance <= 0 or account_id in already:
                continue  # paid or referred since the prefilter read it
            agency = agencies[(offset + n) % len(agencies)]
            fee = agency_fee(policy, balance=account.balance, agency_pct=agency.fee_pct)
            referral = AgencyReferral.objects.create(
                account=account,
                agency=agency,
                batch=run,
                referred_on=day,
                principal=account.balance,
                fee_amount=fee.amount,
                interest_through=day,
                created_by=actor,
            )
            _charge(
                account=account,
                kind=EntryKind.FEE,
                amount=fee.amount,
                on=day,
                reference=f"AGENCY FEE R{referral.pk}",
                idempotency_key=f"referral-fee:{referral.pk}",
                actor=actor,
            )
            audit_record(
                actor=actor,
                verb="referral.create",
                target=referral,
                account_id=account_id,
                data={
                    "agency": agency.name,
                    "principal": str(referral.principal),
                    "fee": str(fee.amount),
                    "fee_reason": fee.reason,
                },
            )
            referred += 1
    return referred, len(ids) - len(due)


def referral_batch_run(*, business_date: date, actor=None, agency_id: int | None = None) -> BatchRun:  # type: ignore[no-untyped-def]
    """Refer every account due. Once per business date; each chunk commits on its own, so a run
    killed midway resumes where it stopped (referred accounts no longer pass the prefilter)."""
    policy, version = _policy()
    agencies = _agencies(agency_id)
    if not agencies:
        raise DomainError("referral.no_agency", "Add an active collection agency before referring accounts.")
    run, _ = BatchRun.objects.get_or_create(
        kind=RunKind.AGENCY,
        business_date=business_date,
        defaults={"policy_version": version, "started_by": actor},
    )
    if run.status == RunStatus.FINISHED:
        return run
    cutoff = business_date - timedelta(days=int(policy.param("collections.referral_days_after_final_bill")))
    with connection.cursor() as cursor:
        small = policy.param("collections.small_balance_write_off")  # those are written off instead
        cursor.execute(CANDIDATES_SQL, {"cutoff": cutoff, "small": small})
        ids = [row[0] for row in cursor.fetchall()]
    counts = {"referred": 0, "not_due": 0, **run.counts, "candidates": len(ids)}
    BatchRun.objects.filter(pk=run.pk).update(total=len(ids), done=0, counts=counts)
    offset = AgencyReferral.objects.count()  # round-robin continues across nights
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        referred, not_due = _refer_chunk(ids=chunk, run=run, agencies=agencies, offset=offset, actor=actor)
        offset += referred
        counts["referred"] += referred
        counts["not_due"] += not_due
        BatchRun.objects.filter(pk=run.pk).update(done=start + len(chunk), counts=counts)
    run.refresh_from_db()
    run.status, run.finished_at = RunStatus.FINISHED, timezone.now()
    run.save(update_fields=["status", "finished_at"])
    audit_record(actor=actor, verb="referral.batch", target=run, data=run.counts)
    return run


def _accrue_one(*, referral: AgencyReferral, account: Account, as_of: date, policy, actor) -> Decimal:  # type: ignore[no-untyped-def]
    from policy_engine.amounts import referral_interest

    total = Decimal(0)
    start = referral.interest_through or referral.referred_on
    while (end := add_months(start, 1)) <= as_of:
        base = max(min(account.balance, referral.principal + referral.fee_amount), Decimal(0))
        interest = referral_interest(policy, balance=base, start=start, end=end)
        _charge(
            account=account,
            kind=EntryKind.INTEREST,
            amount=interest.amount,
            on=end,
            reference=f"AGENCY INTEREST R{referral.pk} {end:%Y-%m}",
            idempotency_key=f"referral-interest:{referral.pk}:{end:%Y-%m}",
            actor=actor,
        )
        referral.interest_amount = to_money(referral.interest_amount + interest.amount)
        referral.interest_through = start = end
        total += interest.amount
    referral.save(update_fields=["interest_amount", "interest_through"])
    return total


def referral_interest_run(*, as_of: date, actor=None) -> dict[str, str | int]:  # type: ignore[no-untyped-def]
    """Charge each open referral the months of interest completed by `as_of`. Idempotent: a
    month already charged has its `interest_through` moved past it (and its charge key taken)."""
    policy, _ = _policy()
    month_ago = add_months(as_of, -1)
    ids = list(
        AgencyReferral.objects.filter(status=ReferralStatus.REFERRED)
        .filter(
            Q(interest_through__lte=month_ago) | Q(interest_through__isnull=True, referred_on__lte=month_ago)
        )
        .order_by("account_id")
        .values_list("pk", flat=True)
    )
    charged, total = 0, Decimal(0)
    for start in range(0, len(ids), CHUNK):
        with transaction.atomic():
            chunk = list(
                AgencyReferral.objects.filter(pk__in=ids[start : start + CHUNK]).order_by("account_id")
            )
            locked = accounts_lock(r.account_id for r in chunk)
            for referral in AgencyReferral.objects.select_for_update(no_key=True).filter(
                pk__in=[r.pk for r in chunk], status=ReferralStatus.REFERRED
            ):
                amount = _accrue_one(
                    referral=referral,
                    account=locked[referral.account_id],
                    as_of=as_of,
                    policy=policy,
                    actor=actor,
                )
                if amount > 0:
                    charged += 1
                    total += amount
    return {"referrals_charged": charged, "interest": str(to_money(total))}


@transaction.atomic(durable=True)
def referral_recall(*, referral_id: int, reason: str, actor, on: date | None = None) -> AgencyReferral:  # type: ignore[no-untyped-def]
    """Take the account back from the agency; interest stops. The collection fee stays charged."""
    if not reason.strip():
        raise DomainError("referral.recall_reason", "Say why the account is recalled from the agency.")
    account_id = AgencyReferral.objects.filter(pk=referral_id).values_list("account_id", flat=True).first()
    if account_id is None:
        raise DomainError("referral.not_found", "No such agency referral.")
    accounts_lock([account_id])
    referral = AgencyReferral.objects.select_for_update(no_key=True).get(pk=referral_id)
    if referral.status != ReferralStatus.REFERRED:
        raise DomainError("referral.not_open", f"This referral is {referral.get_status_display().lower()}.")
    referral.status = ReferralStatus.RECALLED
    referral.recalled_on = on or timezone.localdate()
    referral.recall_reason = reason.strip()
    referral.save(update_fields=["status", "recalled_on", "recall_reason"])
    audit_record(
        actor=actor,
        verb="referral.recall",
        target=referral,
        account_id=account_id,
        data={"reason": referral.recall_reason},
    )
    return referral


def referral_mark_paid(*, account: Account, on: date) -> None:
    """Inside a posting transaction on a locked account: a cleared balance closes its referral."""
    if account.balance <= 0:
        AgencyReferral.objects.filter(account_id=account.pk, status=ReferralStatus.REFERRED).update(
            status=ReferralStatus.PAID, paid_on=on
        )


def referred_accounts(account_ids: list[int]) -> QuerySet[AgencyReferral, int]:
    """Of these accounts, those with a referral at an agency (the postings' hook filter: a query of
    account ids, not run here)."""
    return AgencyReferral.objects.filter(
        account_id__in=account_ids, status=ReferralStatus.REFERRED
    ).values_list("account_id", flat=True)


def on_payment_posted(*, payment) -> None:  # type: ignore[no-untyped-def]
    """Payments hook: a referred account paid off (at the counter or through the agency)."""
    referral_mark_paid(account=payment.account, on=payment.business_date)


REMITTANCE_COLUMNS = ["account_number", "amount", "paid_on"]
REMITTANCE_OPTIONAL = ["referral_id", "agency_ref", "commission"]


def _parse_remittance(data: bytes) -> tuple[list[tuple], list[tuple[int, str]]]:  # type: ignore[type-arg]
    from payments.services.files import paid_on_parse  # the payments rule for file dates

    rows, errors = [], []
    today = timezone.localdate()
    for line, row in csv_rows(data, required=REMITTANCE_COLUMNS, optional=REMITTANCE_OPTIONAL):
        try:
            if not row.get("referral_id") and not row.get("agency_ref"):
                raise ValueError("give referral_id or agency_ref")
            if row.get("referral_id") and not (row["referral_id"].isascii() and row["referral_id"].isdigit()):
                raise ValueError(f"referral_id '{row['referral_id']}' is not a number")
            amount = parse_money(row["amount"], "amount")
            commission = parse_money(row.get("commission") or "0", "commission", positive=False)
            if commission < 0 or commission > amount:
                raise ValueError("commission must be between 0 and the amount")
            paid_on = paid_on_parse(row["paid_on"], today=today)
            rows.append(
                (
                    line,
                    row["account_number"],
                    row.get("referral_id", ""),
                    row.get("agency_ref", ""),
                    amount,
                    commission,
                    paid_on,
                )
            )
        except ValueError as exc:
            errors.append((line, str(exc)))
    if not rows and not errors:
        errors.append((1, "The file has no payment lines."))
    return rows, errors


def _content_digest(rows: list[tuple]) -> str:  # type: ignore[type-arg]
    lines = sorted(
        "|".join(
            (number, str(int(rid)) if rid else "", ref, str(to_money(amount)), str(to_money(commission)))
        )
        + f"|{paid_on.isoformat()}"
        for _line, number, rid, ref, amount, commission, paid_on in rows
    )
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


@transaction.atomic(durable=True)
def remittance_import(
    *, data: bytes, file_name: str, agency_id: int, actor, progress=None
) -> AgencyRemittance:  # type: ignore[no-untyped-def]
    """The agency's remittance: each line is a payment the agency collected on a referral. All
    lines post (as agency-tender payments through the payments service's bulk path) or none do;
    `progress(done, total)` hears how many are posted (collections_app.remittance_jobs)."""
    from payments.models import Payment, TenderKind
    from payments.services.bulk_posting import BulkItem, transactions_post_many
    from payments.services.posting import TenderSpec

    progress = progress or (lambda done, total=None: None)

    agency = CollectionAgency.objects.filter(pk=agency_id).first()
    if agency is None:
        raise DomainError("remittance.agency", "Choose the agency that sent the file.")
    rows, errors = _parse_remittance(data)
    # The same remittance re-saved (CRLF, a BOM, rows re-sorted, "10.0" for "10.00") is still the
    # same remittance: the digest is taken over the parsed lines, not the bytes. Files imported
    # before this rule are recognised by their raw digest.
    digest = _content_digest(rows) if rows and not errors else hashlib.sha256(data).hexdigest()
    earlier = AgencyRemittance.objects.filter(sha256__in={digest, hashlib.sha256(data).hexdigest()}).first()
    if earlier is not None:
        raise ImportRejected(
            [
                (
                    0,
                    f"These payments were already imported on {earlier.imported_at:%Y-%m-%d %H:%M} "
                    f"from {earlier.file_name} (the same file, or a copy with the same lines).",
                )
            ]
        )
    ids = [int(r[2]) for r in rows if r[2]]
    refs = [r[3] for r in rows if r[3]]
    by_id = {r.pk: r for r in AgencyReferral.objects.filter(pk__in=ids).select_related("account")}
    by_ref = {
        r.agency_ref: r
        for r in AgencyReferral.objects.filter(agency=agency, agency_ref__in=refs).select_related("account")
    }
    matched = []
    for line, number, rid, ref, amount, commission, paid_on in rows:
        referral = by_id.get(int(rid)) if rid else by_ref.get(ref)
        if referral is None:
            errors.append((line, f"no referral {'#' + rid if rid else 'with agency ref ' + ref}"))
        elif referral.agency_id != agency.pk:
            errors.append((line, f"referral #{referral.pk} was placed with {referral.agency}, not {agency}"))
        elif referral.account.number != number:
            errors.append(
                (line, f"referral #{referral.pk} is account {referral.account.number}, not {number}")
            )
        elif paid_on < referral.referred_on:
            errors.append((line, f"paid_on {paid_on} is before the referral date {referral.referred_on}"))
        else:
            matched.append((line, referral, amount, commission, paid_on))
    if errors:
        raise ImportRejected(sorted(errors))
    record = AgencyRemittance.objects.create(
        agency=agency, file_name=file_name[:200], sha256=digest, imported_by=actor, lines=len(matched)
    )
    # the lines in (account, line) order: an account paid on two lines sees them in file order
    ordered = sorted(matched, key=lambda m: (m[1].account_id, m[0]))
    progress(0, len(ordered))
    posted, errors = transactions_post_many(
        items=[
            BulkItem(
                ref=line,
                account_id=referral.account_id,
                amount=amount,
                tender=TenderSpec(kind=TenderKind.AGENCY, amount=amount, reference=f"R{referral.pk}"),
                idempotency_key=f"remit:{digest[:24]}:{line}",
                business_date=paid_on,
                payer_name=agency.name,
            )
            for line, referral, amount, _commission, paid_on in ordered
        ],
        actor=actor,
        progress=lambda n: progress(n, len(ordered)),
    )
    total = sum((m[2] for m in ordered), Decimal(0))
    commission_total = sum((m[3] for m in ordered), Decimal(0))
    if not errors:
        payment_of = dict(
            Payment.objects.filter(transaction__in=list(posted.values())).values_list("transaction_id", "pk")
        )
        AgencyRemittanceLine.objects.bulk_create(
            [
                AgencyRemittanceLine(
                    remittance=record,
                    line_number=line,
                    referral=referral,
                    payment_id=payment_of[posted[line].pk],
                    amount=amount,
                    commission=commission,
                    paid_on=paid_on,
                )
                for line, referral, amount, commission, paid_on in ordered
            ],
            batch_size=5000,
        )
        collected: dict[int, Decimal] = defaultdict(Decimal)
        for _line, referral, amount, *_ in ordered:
            collected[referral.pk] += amount
        with connection.cursor() as cursor:  # one statement for every referral's collected amount
            cursor.execute(
                "UPDATE collections_app_agencyreferral r "
                "SET collected_amount = r.collected_amount + v.amount "
                "FROM unnest(%s::bigint[], %s::numeric[]) AS v(id, amount) WHERE r.id = v.id",
                [list(collected), list(collected.values())],
            )
    if errors:
        raise ImportRejected(sorted(errors))
    record.total, record.commission = total, commission_total
    record.save(update_fields=["total", "commission"])
    audit_record(
        actor=actor,
        verb="referral.remittance",
        target=record,
        data={
            "agency": agency.name,
            "lines": len(matched),
            "total": str(total),
            "commission": str(commission_total),
        },
    )
    return record
