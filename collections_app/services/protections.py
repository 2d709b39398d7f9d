"""Recording the facts that protect a household from disconnection: medical certificates,
appeals, contact attempts, weather. Each is audited against the account; the engine reads them
the next time it decides (nightly run, dispatch, completion, account page)."""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Account
from collections_app.models import Appeal, ContactAttempt, MedicalCertificate
from common.audit import audit_record
from common.exceptions import DomainError
from policy.models import WeatherDay


def _account(account_id: int) -> Account:
    account = Account.objects.filter(pk=account_id).first()
    if account is None:
        raise DomainError("account.not_found", "No such account.")
    return account


@transaction.atomic(durable=True)
def medical_certificate_record(  # type: ignore[no-untyped-def]
    *,
    account_id: int,
    received_on: date,
    certifier: str,
    valid_until: date | None,
    financially_unable: bool,
    willing_to_plan: bool,
    note: str,
    actor,
) -> MedicalCertificate:
    account = _account(account_id)
    # a certificate dated ahead would hold disconnection from a day no practitioner signed for
    if received_on > timezone.localdate():
        raise DomainError("medical.future", "A certificate cannot be recorded before it is received.")
    if valid_until is not None and valid_until < received_on:
        raise DomainError("medical.dates", "The certificate cannot end before it was received.")
    renewal = MedicalCertificate.objects.filter(account=account).count()
    cert = MedicalCertificate.objects.create(
        account=account,
        received_on=received_on,
        valid_until=valid_until,
        certifier=certifier,
        renewal=renewal,
        financially_unable=financially_unable,
        willing_to_plan=willing_to_plan,
        note=note,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        verb="medical_certificate.record",
        target=cert,
        account_id=account.pk,
        data={"received_on": received_on.isoformat(), "renewal": renewal},
    )
    return cert


@transaction.atomic(durable=True)
def appeal_open(*, account_id: int, opened_on: date, subject: str, actor) -> Appeal:  # type: ignore[no-untyped-def]
    account = _account(account_id)
    if opened_on > timezone.localdate():
        raise DomainError("appeal.future", "An appeal cannot be opened on a day still to come.")
    appeal = Appeal.objects.create(account=account, opened_on=opened_on, subject=subject, opened_by=actor)
    audit_record(
        actor=actor, verb="appeal.open", target=appeal, account_id=account.pk, data={"subject": subject}
    )
    return appeal


@transaction.atomic(durable=True)
def appeal_resolve(*, appeal_id: int, resolved_on: date, outcome: str, actor) -> Appeal:  # type: ignore[no-untyped-def]
    appeal = Appeal.objects.select_for_update(no_key=True).filter(pk=appeal_id).first()
    if appeal is None:
        raise DomainError("appeal.not_found", "No such appeal.")
    if appeal.resolved_on is not None:
        raise DomainError("appeal.closed", "This appeal is already resolved.")
    if resolved_on < appeal.opened_on:
        raise DomainError("appeal.dates", "An appeal cannot be resolved before it was opened.")
    appeal.resolved_on = resolved_on
    appeal.outcome = outcome
    appeal.save(update_fields=["resolved_on", "outcome"])
    audit_record(
        actor=actor,
        verb="appeal.resolve",
        target=appeal,
        account_id=appeal.account_id,
        data={"outcome": outcome},
    )
    return appeal


@transaction.atomic(durable=True)
def contact_attempt_record(  # type: ignore[no-untyped-def]
    *, account_id: int, at: datetime, method: str, reached: bool, note: str, actor
) -> ContactAttempt:
    account = _account(account_id)
    # the engine counts attempts made before it decides: one dated ahead would count early
    if at > timezone.now() + timedelta(minutes=5):
        raise DomainError("contact_attempt.future", "A contact attempt cannot be recorded before it is made.")
    attempt = ContactAttempt.objects.create(
        account=account, at=at, method=method, reached=reached, note=note, made_by=actor
    )
    audit_record(
        actor=actor,
        verb="contact_attempt.record",
        target=attempt,
        account_id=account.pk,
        data={"method": method, "reached": reached},
    )
    return attempt


@transaction.atomic(durable=True)
def weather_day_record(  # type: ignore[no-untyped-def]
    *,
    on: date,
    high_f: int | None,
    low_f: int | None,
    heat_advisory: bool,
    winter_advisory: bool,
    source: str,
    actor,
) -> WeatherDay:
    if high_f is not None and low_f is not None and low_f > high_f:
        raise DomainError("weather.range", "The low cannot be above the high.")
    # one row per date: a later forecast or the observation replaces the earlier one
    day, _ = WeatherDay.objects.update_or_create(
        date=on,
        defaults={
            "high_f": high_f,
            "low_f": low_f,
            "heat_advisory": heat_advisory,
            "winter_advisory": winter_advisory,
            "source": source,
            "recorded_by": actor,
        },
    )
    audit_record(actor=actor, verb="weather.record", target=day, data={"high": high_f, "low": low_f})
    return day
