"""Notices (rules.md §1.3, §1.11): batches built from the engine's notice plan, marked sent (which
starts the engine's clocks and charges the policy's notice fee), and single notices recorded by
hand (an SB 998 phone contact counts as notice).

Building a batch reads (a set-based cut, then the engine on the candidates, in chunks) before it
writes; the write is one short transaction. Idempotent per (kind, business date, account): the
notice's idempotency key, and a sent batch is never added to.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import Account
from accounts.services.ledger import accounts_lock
from collections_app.models import (
    BankruptcyCase,
    BankruptcyStatus,
    Notice,
    NoticeBatch,
    NoticeKind,
    NoticeMethod,
)
from collections_app.selectors.facts import facts_for_account, facts_for_accounts
from collections_app.selectors.notices import notice_candidates
from collections_app.services.charges import _charge
from collections_app.validators import KEY_USED_ELSEWHERE
from common.audit import audit_record, audit_record_many
from common.exceptions import DomainError
from common.money import to_money
from policy.models import PolicyVersion
from policy.selectors import current_policy
from policy_engine import amounts, engine
from policy_engine.core import NoticePlan
from policy_engine.facts import AccountFacts, NoticeFact
from policy_engine.policy import Policy

CHUNK = 1000
BATCH_KINDS = ("reminder", "shutoff", "final", "occupant", "posted")
# The policy's notice fee is for a non-payment disconnection notice to the customer (Mesa): the
# shutoff notice itself, in writing. Reminders, occupant copies and a phone call carry no fee.
FEE_KINDS = {NoticeKind.SHUTOFF}
FEE_FREE_METHODS = {NoticeMethod.PHONE, NoticeMethod.THIRD_PARTY}
REMINDER_PAY_DAYS = 10  # business days a courtesy reminder gives before the printed pay-by date


@dataclass(frozen=True)
class Planned:
    account_id: int
    kind: str
    amount_due: Decimal
    pay_by: date | None
    earliest_action: date | None
    reason: str
    citation: str


def _dates(policy: Policy, facts: AccountFacts, kind: str, on: date, plan_earliest: date | None) -> tuple:  # type: ignore[type-arg]
    """Earliest disconnection once this notice is out (the engine's answer with the notice recorded
    as sent on `on`) and the pay-by date printed: the last business day before it."""
    if kind == NoticeKind.REMINDER:
        return policy.calendar.add_business_days(on, REMINDER_PAY_DAYS), None
    earliest = plan_earliest
    if earliest is None:
        with_notice = replace(facts, notices=(*facts.notices, NoticeFact(kind, on)))
        earliest = engine.decide(policy, with_notice, on).earliest_date
    if earliest is None:
        return None, None
    pay_by = policy.calendar.previous_business_day(earliest - timedelta(days=1))
    return max(pay_by, on), earliest


def _plan_one(policy: Policy, facts: AccountFacts, kind: str, on: date) -> list[Planned]:
    plans = engine.notice_plans(policy, facts, on)
    due: dict[str, NoticePlan] = {p.kind: p for p in plans if p.send_on <= on}
    main = due.get(kind)
    if main is None:
        return []
    past_due = engine.delinquency(policy, facts, on).past_due
    account_id = facts.extra["account_id"]
    pay_by, earliest = _dates(policy, facts, kind, on, main.earliest_action)
    out = [Planned(account_id, kind, past_due, pay_by, earliest, main.reason, main.citation)]
    # occupants of a landlord-owned premise are told alongside the disconnection notice: earlier
    # than the occupant plan's own date is never too early, and one mailing starts both clocks
    occupant = next((p for p in plans if p.kind == NoticeKind.OCCUPANT), None)
    if kind == NoticeKind.SHUTOFF and occupant is not None:
        out.append(Planned(account_id, NoticeKind.OCCUPANT, past_due, pay_by, earliest, occupant.reason,
                           occupant.citation))  # fmt: skip
    return out


def notice_batch_plan(
    *, policy: Policy, kind: str, business_date: date, progress: Callable[..., None] | None = None
) -> list[Planned]:
    """Every notice of `kind` the policy calls for on the date (reads only). `progress(done,
    total)` hears of each chunk of candidates decided (a job's progress, common.jobs)."""
    ids = notice_candidates(policy=policy, kind=kind, as_of=business_date)
    planned: list[Planned] = []
    for start in range(0, len(ids), CHUNK):
        if progress is not None:
            progress(start, len(ids))
        facts = facts_for_accounts(ids[start : start + CHUNK], as_of=business_date)
        for account_id in ids[start : start + CHUNK]:
            if account_id in facts:
                planned.extend(_plan_one(policy, facts[account_id], kind, business_date))
    if progress is not None:
        progress(len(ids), len(ids))
    return planned


def _address(account: Account, kind: str) -> tuple[str, str]:
    premise = account.premise
    unit = f" #{premise.unit}" if premise.unit else ""
    service = f"{premise.address}{unit}\n{premise.city}, {premise.state} {premise.postal_code}"
    if kind == NoticeKind.OCCUPANT:
        return "Occupant", service
    if kind == NoticeKind.POSTED:
        return "Occupant / customer", service
    customer = account.customer
    return customer.display_name, customer.mailing_address or service


def _notices(
    planned: list[Planned], *, batch: NoticeBatch | None, day: date, actor, method: str
) -> list[Notice]:  # type: ignore[no-untyped-def]
    accounts = Account.objects.select_related("customer", "premise").in_bulk([p.account_id for p in planned])
    rows = []
    for p in planned:
        addressee, address = _address(accounts[p.account_id], p.kind)
        rows.append(
            Notice(
                account_id=p.account_id,
                batch=batch,
                kind=p.kind,
                method=method,
                addressee=addressee[:160],
                address=address,
                amount_due=to_money(p.amount_due),
                pay_by=p.pay_by,
                earliest_action=p.earliest_action,
                reason=p.reason,
                citation=p.citation[:200],
                created_by=actor,
                idempotency_key=f"notice:{p.kind}:{day.isoformat()}:{p.account_id}",
            )
        )
    return rows


def notice_batch_build(  # type: ignore[no-untyped-def]
    *, kind: str, business_date: date, actor, progress: Callable[..., None] | None = None
) -> NoticeBatch:
    """Build (or complete) the batch of `kind` notices for the date. Re-running it adds only what
    is missing; a batch already sent is returned unchanged. Run as a job (collections_app.
    notice_jobs): `progress` hears how many candidates are decided."""
    if kind not in BATCH_KINDS:
        raise DomainError("notice.kind", f"Unknown notice kind {kind!r}.")
    policy, version = current_policy()
    planned_at = timezone.now()
    planned = notice_batch_plan(policy=policy, kind=kind, business_date=business_date, progress=progress)
    return _batch_write(
        kind=kind,
        business_date=business_date,
        actor=actor,
        planned=planned,
        version=version,
        planned_at=planned_at,
    )


@transaction.atomic(durable=True)
def _batch_write(
    *,
    kind: str,
    business_date: date,
    actor,
    planned: list[Planned],
    version: PolicyVersion,
    planned_at: datetime | None = None,
) -> NoticeBatch:  # type: ignore[no-untyped-def]
    batch, _ = NoticeBatch.objects.select_for_update().get_or_create(
        kind=kind,
        business_date=business_date,
        defaults={"created_by": actor, "policy_version": version, "method": NoticeMethod.MAIL},
    )
    if batch.sent_on is not None:
        return batch  # the mailing is out: nothing may be added to it
    if planned_at is not None and planned:
        # A bankruptcy recorded while the plan was read was not in its facts: its notice would
        # dun the pre-petition debt. The next build plans it again, on post-petition arrears only.
        stayed = set(
            BankruptcyCase.objects.filter(
                account_id__in={p.account_id for p in planned},
                status=BankruptcyStatus.OPEN,
                recorded_at__gte=planned_at,
            ).values_list("account_id", flat=True)
        )
        planned = [p for p in planned if p.account_id not in stayed]
    rows = _notices(planned, batch=batch, day=business_date, actor=actor, method=batch.method)
    # The batch row is locked, so only this transaction adds to it, and ids only grow: what is
    # above the batch's highest id afterwards is what this build added. (bulk_create with
    # ignore_conflicts returns every row passed, inserted or not, without ids.)
    last = batch.notices.aggregate(m=Max("id"))["m"] or 0
    Notice.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    created = list(batch.notices.filter(id__gt=last).only("id", "account_id", "kind").order_by("id"))
    audit_record(
        actor=actor,
        verb="notice.batch_build",
        target=batch,
        data={"kind": kind, "date": business_date.isoformat(), "planned": len(rows), "new": len(created)},
    )
    # each account's own trail shows the notice it is about to be sent (one INSERT)
    audit_record_many(
        actor=actor,
        verb="notice.create",
        items=[(n, n.account_id, {"kind": n.kind, "batch": batch.pk}) for n in created],
    )
    return batch


@transaction.atomic(durable=True)
def notice_batch_mark_sent(*, batch_id: int, sent_on: date, method: str, actor) -> NoticeBatch:  # type: ignore[no-untyped-def]
    """The batch went out: its notices are dated (the engine's clocks start) and the notice fee is
    charged once per notice. A second call changes nothing."""
    batch = NoticeBatch.objects.select_for_update().filter(pk=batch_id).first()
    if batch is None:
        raise DomainError("notice.batch_not_found", "No such notice batch.")
    if batch.sent_on is not None:
        return batch
    if method not in NoticeMethod.values:
        raise DomainError("notice.method", f"Unknown method {method!r}.")
    if sent_on != batch.business_date:
        raise DomainError(
            "notice.sent_on",
            f"The notices print dates that assume they go out on {batch.business_date:%b %d, %Y}; "
            f"build a new batch for {sent_on:%b %d, %Y} instead.",
        )
    if sent_on > timezone.localdate():
        raise DomainError("notice.future", "A batch cannot be marked sent before it goes out.")
    # Every account of the batch is locked (id order) before its notices are read: a bankruptcy
    # filing pulls the account's unsent notices under that same lock, so a notice is either
    # pulled before this reads it or dated here first (and stays as history); never both.
    accounts = set(batch.notices.filter(voided=False).values_list("account_id", flat=True))
    locked = accounts_lock(accounts)
    notices = list(batch.notices.filter(voided=False).order_by("account_id", "id"))
    fee = amounts.notice_fee(current_policy()[0])
    for notice in notices:
        notice.sent_on, notice.method, notice.sent_by = sent_on, method, actor
        charged = fee.amount > 0 and notice.kind in FEE_KINDS and method not in FEE_FREE_METHODS
        if charged and _charge(
            account=locked[notice.account_id],
            kind="fee",
            amount=fee.amount,
            on=sent_on,
            reference=f"NOTICE FEE {notice.pk}",
            idempotency_key=f"notice_fee:{notice.pk}",
            actor=actor,
        ):
            notice.fee_amount = fee.amount
    Notice.objects.bulk_update(notices, ["sent_on", "method", "sent_by", "fee_amount"], batch_size=2000)
    batch.sent_on, batch.method, batch.sent_by = sent_on, method, actor
    batch.save(update_fields=["sent_on", "method", "sent_by"])
    audit_record(
        actor=actor,
        verb="notice.batch_sent",
        target=batch,
        data={
            "sent_on": sent_on.isoformat(),
            "method": method,
            "notices": len(notices),
            "fee": str(fee.amount),
        },
    )
    # the date the engine's clocks start, on each account's own trail (one INSERT)
    audit_record_many(
        actor=actor,
        verb="notice.sent",
        items=[
            (n, n.account_id, {"batch": batch.pk, "sent_on": sent_on.isoformat(), "method": method})
            for n in notices
        ],
    )
    return batch


@transaction.atomic(durable=True)
def notice_record(  # type: ignore[no-untyped-def]
    *, account_id: int, kind: str, method: str, sent_on: date, actor, idempotency_key: str, note: str = ""
) -> Notice:
    """A notice given outside a batch: a phone contact (SB 998 counts it), a door hanger, one
    letter. Dated as given; the engine's clocks read it at once."""
    if kind not in NoticeKind.values:
        raise DomainError("notice.kind", f"Unknown notice kind {kind!r}.")
    if method not in NoticeMethod.values:
        raise DomainError("notice.method", f"Unknown method {method!r}.")
    if sent_on > timezone.localdate():
        raise DomainError("notice.future", "A notice cannot be recorded before it is given.")
    account = accounts_lock([account_id])[account_id]
    if sent_on < account.opened_on:
        raise DomainError(
            "notice.before_account",
            f"The account was opened on {account.opened_on:%b %d, %Y}: a notice cannot be dated before that.",
        )
    key = f"notice:manual:{idempotency_key}"
    if done := Notice.objects.filter(idempotency_key=key).first():
        if done.account_id != account_id:
            raise DomainError("notice.key_reused", KEY_USED_ELSEWHERE)
        return done  # a replayed form post
    policy, _ = current_policy()
    facts = facts_for_account(account_id, as_of=sent_on)
    past_due = engine.delinquency(policy, facts, sent_on).past_due
    pay_by, earliest = _dates(policy, facts, kind, sent_on, None)
    full = Account.objects.select_related("customer", "premise").get(pk=account_id)
    addressee, address = _address(full, kind)
    if method == NoticeMethod.PHONE:
        address = f"By phone {full.customer.masked_phone}".strip()
    notice = Notice.objects.create(
        account=account,
        kind=kind,
        method=method,
        addressee=addressee[:160],
        address=address,
        amount_due=to_money(past_due),
        pay_by=pay_by,
        earliest_action=earliest,
        reason=note.strip() or f"Recorded by hand ({NoticeMethod(method).label.lower()}).",
        citation=(  # the notice lead's source in the policy in force (issue 12: no other state's law)
            f"{policy.layers[0].cite('notices.pre_disconnect_lead')} (phone contact)"
            if method == NoticeMethod.PHONE
            else ""
        ),
        sent_on=sent_on,
        sent_by=actor,
        created_by=actor,
        idempotency_key=key,
    )
    fee = amounts.notice_fee(policy)
    if (
        kind in FEE_KINDS
        and method not in FEE_FREE_METHODS
        and _charge(
            account=account,
            kind="fee",
            amount=fee.amount,
            on=sent_on,
            reference=f"NOTICE FEE {notice.pk}",
            idempotency_key=f"notice_fee:{notice.pk}",
            actor=actor,
        )
    ):
        notice.fee_amount = fee.amount
        notice.save(update_fields=["fee_amount"])
    audit_record(
        actor=actor,
        verb="notice.record",
        target=notice,
        account_id=account_id,
        data={"kind": kind, "method": method, "sent_on": sent_on.isoformat()},
    )
    return notice
