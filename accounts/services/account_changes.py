"""Changes to an account's contact details, due day and services (start / stop / transfer)."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Account, AccountStatus, Customer, Premise, Service, ServiceStatus, Utility
from accounts.services.ledger import accounts_lock
from common.audit import audit_record
from common.exceptions import DomainError

CONTACT_FIELDS = (
    "phone",
    "alt_phone",
    "email",
    "mail_line1",
    "mail_line2",
    "mail_city",
    "mail_state",
    "mail_postal_code",
    "preferred_language",
)


def _digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())[-15:]


@transaction.atomic(durable=True)
def customer_contact_update(*, account_id: int, actor, **changes: str) -> Customer:  # type: ignore[no-untyped-def]
    account = accounts_lock([account_id])[account_id]
    customer = Customer.objects.select_for_update(no_key=True).get(pk=account.customer_id)
    unknown = set(changes) - set(CONTACT_FIELDS)
    if unknown:
        raise DomainError("customer.fields", f"Cannot change {', '.join(sorted(unknown))} here.")
    before = {f: getattr(customer, f) for f in changes}
    for name, value in changes.items():
        setattr(customer, name, value.strip())
    customer.phone_digits = _digits(customer.phone)
    customer.full_clean()
    customer.save()
    changed = sorted(f for f in changes if before[f] != getattr(customer, f))
    # Which fields changed is recorded; their values are personal data and stay out of the trail.
    audit_record(
        actor=actor,
        verb="customer.contact_update",
        target=customer,
        account_id=account_id,
        data={"fields": changed},
    )
    return customer


@transaction.atomic(durable=True)
def account_due_day_change(*, account_id: int, due_day: int | None, actor) -> Account:  # type: ignore[no-untyped-def]
    account = accounts_lock([account_id])[account_id]
    if due_day is not None and not 1 <= due_day <= 28:
        raise DomainError("account.due_day", "The due day must be between 1 and 28.")
    old = account.due_day
    account.due_day = due_day
    account.save(update_fields=["due_day"])
    audit_record(
        actor=actor,
        verb="account.due_day_change",
        target=account,
        account_id=account_id,
        data={"from": old, "to": due_day},
    )
    return account


@transaction.atomic(durable=True)
def service_start(*, account_id: int, utility: str, on: date, actor, meter_number: str = "") -> Service:  # type: ignore[no-untyped-def]
    account = accounts_lock([account_id])[account_id]
    if utility not in Utility.values:
        raise DomainError("service.utility", "Choose a utility.")
    if account.status != AccountStatus.ACTIVE:
        raise DomainError("service.account_status", "Services start only on an active account.")
    try:
        with transaction.atomic():
            service = Service.objects.create(
                account=account, utility=utility, started_on=on, meter_number=meter_number.strip()
            )
    except IntegrityError:
        raise DomainError(
            "service.exists", f"{Utility(utility).label} service is already on this account."
        ) from None
    audit_record(
        actor=actor,
        verb="service.start",
        target=service,
        account_id=account_id,
        data={"utility": utility, "on": on.isoformat()},
    )
    return service


def _stop(*, account: Account, services: list[Service], on: date) -> None:
    for service in services:
        if on < service.started_on:
            raise DomainError("service.stop_date", "A service cannot stop before it started.")
        service.status, service.ended_on = ServiceStatus.FINAL, on
        service.save(update_fields=["status", "ended_on"])
    if not account.services.filter(ended_on__isnull=True).exists():
        # The last service stopped: the billing engine issues the final bill.
        account.status, account.final_bill_requested_on = AccountStatus.FINAL, on
        account.save(update_fields=["status", "final_bill_requested_on"])


@transaction.atomic(durable=True)
def service_stop(*, account_id: int, utility: str, on: date, actor) -> Service:  # type: ignore[no-untyped-def]
    account = accounts_lock([account_id])[account_id]
    service = (
        account.services.select_for_update(no_key=True).filter(utility=utility, ended_on__isnull=True).first()
    )
    if service is None:
        raise DomainError("service.none", "That service is not on this account.")
    _stop(account=account, services=[service], on=on)
    audit_record(
        actor=actor,
        verb="service.stop",
        target=service,
        account_id=account_id,
        data={"utility": utility, "on": on.isoformat(), "final_bill": account.status == AccountStatus.FINAL},
    )
    return service


def _next_account_number() -> str:
    last = Account.objects.order_by("-number").values_list("number", flat=True).first() or "0"
    return f"{int(last) + 1:010d}" if last.isdigit() else f"{Account.objects.count() + 1:010d}"


@transaction.atomic(durable=True)
def service_transfer(*, account_id: int, premise_id: int, on: date, actor) -> Account:  # type: ignore[no-untyped-def]
    """The customer moves: every service stops at the old premise (final bill) and starts at the
    new one on a new account, same customer and utilities. Any balance stays on the old account
    until its final bill, when it can be moved like a misapplied payment."""
    old = accounts_lock([account_id])[account_id]
    if old.status != AccountStatus.ACTIVE:
        raise DomainError("transfer.status", "Only an active account can transfer service.")
    premise = Premise.objects.filter(pk=premise_id).first()
    if premise is None or premise.pk == old.premise_id:
        raise DomainError("transfer.premise", "Choose the new service address.")
    if Account.objects.filter(premise=premise, status=AccountStatus.ACTIVE).exists():
        raise DomainError("transfer.occupied", "The new address already has an active account.")
    live = list(old.services.select_for_update(no_key=True).filter(ended_on__isnull=True))
    if not live:
        raise DomainError("transfer.no_services", "The account has no live service to transfer.")
    _stop(account=old, services=live, on=on)
    new = Account.objects.create(
        number=_next_account_number(),
        customer_id=old.customer_id,
        premise=premise,
        account_class=old.account_class,
        bill_cycle=old.bill_cycle,
        due_day=old.due_day,
        opened_on=on,
        occupancy=old.occupancy,
        credit_rating=old.credit_rating,
        cash_only_until=old.cash_only_until,
    )
    Service.objects.bulk_create([Service(account=new, utility=s.utility, started_on=on) for s in live])
    audit_record(
        actor=actor,
        verb="service.transfer_out",
        target=old,
        account_id=old.pk,
        data={"to_account": new.number, "on": on.isoformat()},
    )
    audit_record(
        actor=actor,
        verb="service.transfer_in",
        target=new,
        account_id=new.pk,
        data={"from_account": old.number, "on": on.isoformat()},
    )
    return new


def today() -> date:
    return timezone.localdate()
