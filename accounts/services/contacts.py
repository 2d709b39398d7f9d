from datetime import date

from django.db import transaction
from django.utils import timezone

from accounts.models import Contact, ContactChannel, ContactOutcome, ReasonCode
from accounts.services.ledger import accounts_lock
from common.audit import audit_record
from common.exceptions import DomainError


@transaction.atomic(durable=True)
def contact_log(
    *,
    account_id: int,
    channel: str,
    inbound: bool,
    reason_id: int,
    outcome: str,
    note: str,
    follow_up_on: date | None,
    escalated: bool,
    actor,
    assigned_to=None,
) -> Contact:  # type: ignore[no-untyped-def]
    account = accounts_lock([account_id])[account_id]
    if channel not in ContactChannel.values or outcome not in ContactOutcome.values:
        raise DomainError("contact.choice", "Choose a channel and an outcome.")
    reason = ReasonCode.objects.filter(pk=reason_id, kind=ReasonCode.Kind.CONTACT, active=True).first()
    if reason is None:
        raise DomainError("contact.reason", "Choose a contact reason.")
    if follow_up_on is not None and follow_up_on < timezone.localdate():
        raise DomainError("contact.follow_up_past", "The follow-up date cannot be in the past.")
    if escalated and follow_up_on is None:
        raise DomainError("contact.escalation_date", "An escalated contact needs a follow-up date.")
    contact = Contact.objects.create(
        account=account,
        channel=channel,
        inbound=inbound,
        reason=reason,
        outcome=outcome,
        note=note.strip(),
        follow_up_on=follow_up_on,
        escalated=escalated,
        assigned_to=assigned_to or (actor if follow_up_on else None),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        verb="contact.log",
        target=contact,
        account_id=account_id,
        data={"reason": reason.code, "outcome": outcome, "escalated": escalated},
    )
    return contact


@transaction.atomic(durable=True)
def contact_follow_up_done(*, contact_id: int, actor) -> Contact:  # type: ignore[no-untyped-def]
    contact = Contact.objects.select_for_update(no_key=True).get(pk=contact_id)
    if contact.follow_up_on is None:
        raise DomainError("contact.no_follow_up", "This contact has no follow-up.")
    if contact.follow_up_owner_id != actor.pk and not actor.has_perm("accounts.close_any_follow_up"):
        raise DomainError(
            "contact.not_yours",
            "Only the person this follow-up is assigned to, or a supervisor, can mark it done.",
        )
    if contact.follow_up_done_at is None:
        contact.follow_up_done_at = timezone.now()
        contact.save(update_fields=["follow_up_done_at"])
        audit_record(
            actor=actor, verb="contact.follow_up_done", target=contact, account_id=contact.account_id
        )
    return contact
