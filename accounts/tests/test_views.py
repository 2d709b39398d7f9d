"""The account desk forms as a browser posts them: good input acts, bad input explains itself."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Account, AccountStatus, Adjustment, Contact, Customer, ReasonCode, Service
from accounts.tests.factories import AccountFactory, PremiseFactory, charge, fund, pay
from common.models import AuditEvent
from policy.tests.helpers import use_policy

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _key() -> str:
    from uuid import uuid4

    return str(uuid4())


def test_adjustment_form_posts_and_a_double_submit_posts_once(role_clients):
    account = AccountFactory()
    form = {
        "fund": fund("WTR").pk,
        "amount": "-12.50",
        "reason": ReasonCode.objects.filter(kind="adjustment")[0].pk,
        "note": "leak credit",
        "idempotency_key": _key(),
    }
    client = role_clients["Counselor"]
    assert client.post(f"/accounts/{account.number}/adjust/", form).status_code == 302
    assert client.post(f"/accounts/{account.number}/adjust/", form).status_code == 302
    account.refresh_from_db()
    assert account.balance == Decimal("-12.50") and Adjustment.objects.count() == 1


def test_adjustment_form_explains_bad_input(role_clients):
    account = AccountFactory()
    page = (
        role_clients["Counselor"]
        .post(
            f"/accounts/{account.number}/adjust/",
            {"fund": fund("WTR").pk, "amount": "0", "note": "", "idempotency_key": _key()},
        )
        .content.decode()
    )
    assert "Enter an amount other than zero." in page and "This field is required." in page
    assert not Adjustment.objects.exists()


def test_supervisor_approves_from_the_queue(role_clients, settings):
    use_policy(adjustments__approval_limit="50.00")
    account = AccountFactory()
    reason = ReasonCode.objects.filter(kind="adjustment")[0].pk
    role_clients["Counselor"].post(
        f"/accounts/{account.number}/adjust/",
        {
            "fund": fund("WTR").pk,
            "amount": "-80.00",
            "reason": reason,
            "note": "billing error",
            "idempotency_key": _key(),
        },
    )
    adj = Adjustment.objects.get()
    queue = role_clients["Supervisor"].get("/accounts/adjustments/pending/").content.decode()
    assert account.number in queue and "billing error" in queue
    role_clients["Supervisor"].post(
        f"/accounts/adjustments/{adj.pk}/decide/", {"decision": "approve", "note": ""}
    )
    account.refresh_from_db()
    assert account.balance == Decimal("-80.00")


def test_contact_with_follow_up_appears_in_my_follow_ups(role_clients):
    account = AccountFactory()
    client = role_clients["Counselor"]
    client.post(
        f"/accounts/{account.number}/contact/",
        {
            "channel": "call",
            "inbound": "1",
            "reason": ReasonCode.objects.filter(kind="contact")[0].pk,
            "outcome": "callback",
            "note": "call back after payday",
            "follow_up_on": TODAY.isoformat(),
            "escalated": "on",
        },
    )
    contact = Contact.objects.get()
    assert contact.escalated and contact.assigned_to.username == "counselor"
    page = client.get("/accounts/follow-ups/").content.decode()
    assert account.number in page and "Escalated" in page
    assert account.number not in role_clients["Cashier"].get("/accounts/follow-ups/").content.decode()
    client.post(f"/accounts/follow-ups/{contact.pk}/done/")
    assert account.number not in client.get("/accounts/follow-ups/").content.decode()


def test_contact_form_refuses_escalation_without_a_date(role_clients):
    account = AccountFactory()
    page = (
        role_clients["Counselor"]
        .post(
            f"/accounts/{account.number}/contact/",
            {
                "channel": "call",
                "inbound": "1",
                "reason": ReasonCode.objects.filter(kind="contact")[0].pk,
                "outcome": "escalated",
                "escalated": "on",
            },
        )
        .content.decode()
    )
    assert "An escalated contact needs a follow-up date." in page and not Contact.objects.exists()


def test_contact_details_update_is_audited_without_the_values(role_clients):
    account = AccountFactory()
    role_clients["Cashier"].post(
        f"/accounts/{account.number}/contact-details/",
        {
            "phone": "(602) 555-7777",
            "email": "new@example.com",
            "mail_line1": "9 N 1st Ave",
            "mail_city": "Phoenix",
            "mail_state": "AZ",
            "mail_postal_code": "85003",
            "preferred_language": "es",
        },
    )
    customer = Customer.objects.get(pk=account.customer_id)
    assert customer.phone_digits == "6025557777" and customer.preferred_language == "es"
    event = AuditEvent.objects.get(verb="customer.contact_update")
    assert "phone" in event.data["fields"] and "555-7777" not in str(event.data)
    bad = (
        role_clients["Cashier"]
        .post(
            f"/accounts/{account.number}/contact-details/",
            {"phone": "12", "mail_postal_code": "ABCDE", "preferred_language": "en"},
        )
        .content.decode()
    )
    assert "Enter a 10-digit phone number." in bad and "Enter a ZIP code like 85004" in bad


def test_stopping_the_last_service_marks_the_account_for_its_final_bill(role_clients):
    account = AccountFactory()
    client = role_clients["Counselor"]
    client.post(f"/accounts/{account.number}/service/start/", {"utility": "sewer", "on": TODAY.isoformat()})
    page = client.post(
        f"/accounts/{account.number}/service/start/", {"utility": "sewer", "on": TODAY.isoformat()}
    )
    assert "Sewer service is already on this account." in page.content.decode()
    for utility in ("water", "sewer"):
        client.post(
            f"/accounts/{account.number}/service/stop/", {"utility": utility, "on": TODAY.isoformat()}
        )
    account.refresh_from_db()
    assert account.status == AccountStatus.FINAL and account.final_bill_requested_on == TODAY


def test_transfer_of_service_opens_a_new_account_at_the_new_address(role_clients):
    account = AccountFactory()
    new_home = PremiseFactory()
    response = role_clients["Cashier"].post(
        f"/accounts/{account.number}/service/transfer/", {"premise": new_home.pk, "on": TODAY.isoformat()}
    )
    new = Account.objects.get(premise=new_home)
    assert response["Location"] == f"/accounts/{new.number}/"
    assert new.customer_id == account.customer_id and new.status == AccountStatus.ACTIVE
    assert list(Service.objects.filter(account=new).values_list("utility", flat=True)) == ["water"]
    account.refresh_from_db()
    assert account.status == AccountStatus.FINAL


def test_cashier_moves_a_misapplied_payment(role_clients):
    wrong, right = AccountFactory(), AccountFactory()
    charge(right, "30.00", due=TODAY - timedelta(days=5))
    pay(wrong, "30.00", on=TODAY, reference="PAY-5")
    client = role_clients["Cashier"]
    form = client.get(f"/accounts/{wrong.number}/transfer/").context["form"]
    choice = form.fields["payment"].choices[0][0]
    client.post(
        f"/accounts/{wrong.number}/transfer/",
        {
            "payment": choice,
            "to_account_number": right.number,
            "reason": ReasonCode.objects.filter(kind="transfer")[0].pk,
            "note": "stub from neighbour",
            "idempotency_key": _key(),
        },
    )
    right.refresh_from_db()
    wrong.refresh_from_db()
    assert (wrong.balance, right.balance) == (Decimal("0.00"), Decimal("0.00"))
    bad = client.post(
        f"/accounts/{wrong.number}/transfer/",
        {
            "payment": choice,
            "to_account_number": "nope",
            "reason": ReasonCode.objects.filter(kind="transfer")[0].pk,
            "note": "x",
            "idempotency_key": _key(),
        },
    )
    assert "Select a valid choice" in bad.content.decode()  # the moved payment is no longer offered


def test_preferred_language_is_a_choice_of_the_document_languages_shown_on_the_account(role_clients):
    account = AccountFactory()
    client = role_clients["Cashier"]
    form = client.get(f"/accounts/{account.number}/contact-details/").content.decode()
    assert '<option value="en"' in form and '<option value="es"' in form
    assert '<option value="vi"' not in form and '<option value="other"' not in form  # no catalogue: no choice
    refused = client.post(f"/accounts/{account.number}/contact-details/", {"preferred_language": "vi"})
    assert "Select a valid choice" in refused.content.decode()
    assert Customer.objects.get(pk=account.customer_id).preferred_language == "en"
    client.post(f"/accounts/{account.number}/contact-details/", {"preferred_language": "es"})
    assert Customer.objects.get(pk=account.customer_id).preferred_language == "es"
    page = client.get(f"/accounts/{account.number}/").content.decode()
    assert "Language: Spanish" in page
    assert 'lang="es"' not in page and "Cuenta" not in page  # the staff screen stays English


def test_the_migration_keeps_spanish_and_sends_languages_without_a_catalogue_to_english():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("accounts.migrations.0010_preferred_language_choices")
    spellings = {"es": "es", "ES": "es", "es-MX": "es", "en": "en", "vi": "en", "zh": "en", "other": "en"}
    ids = {}
    for before in spellings:
        account = AccountFactory()
        Customer.objects.filter(pk=account.customer_id).update(preferred_language=before)
        ids[before] = account.customer_id
    migration.to_supported(apps, None)
    after = dict(Customer.objects.filter(pk__in=ids.values()).values_list("pk", "preferred_language"))
    assert {before: after[pk] for before, pk in ids.items()} == spellings
