"""Notice batches from the engine's plan: who gets which notice on which day per policy, the
dates printed, idempotent builds, the PDF a customer reads, and marking a batch sent."""

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO
from uuid import uuid4

import pytest
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import LedgerEntry
from accounts.services.ledger import ledger_sum
from accounts.tests.factories import AccountFactory, CustomerFactory, PremiseFactory, pay
from collections_app.models import Notice, NoticeBatch
from collections_app.pdf_notices import notice_batch_pdf, notice_pdf
from collections_app.selectors.facts import facts_for_account, facts_for_accounts
from collections_app.services.notices import notice_batch_build, notice_batch_mark_sent, notice_record
from collections_app.tests.billing import bill, use_policy
from common.exceptions import DomainError
from conftest import pdf_text
from policy.selectors import current_policy
from policy_engine import engine

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_user):
    return make_user("olive", "Collections officer")


def _kinds(batch: NoticeBatch) -> list[tuple[int, str]]:
    return sorted(batch.notices.values_list("account_id", "kind"))


def test_default_policy_sends_the_shutoff_notice_7_business_days_before_day_60(officer):
    use_policy("DEFAULT")
    account = AccountFactory()
    bill(account, "180.00", due=date(2026, 9, 1), billed=date(2026, 8, 11))
    # day 60 after the due date is Sat Oct 31; 7 business days before Fri Oct 30 is Wed Oct 21
    early = notice_batch_build(kind="shutoff", business_date=date(2026, 10, 20), actor=officer)
    assert early.notices.count() == 0
    batch = notice_batch_build(kind="shutoff", business_date=date(2026, 10, 21), actor=officer)
    notice = batch.notices.get()
    assert notice.account_id == account.pk and notice.amount_due == Decimal("180.00")
    assert notice.earliest_action == date(2026, 11, 2)  # Oct 31 is a Saturday: the next permitted day
    assert notice.pay_by == date(2026, 10, 30)  # the last business day before it
    assert notice.addressee == account.customer.display_name and "100 W Main St" in notice.address
    assert notice.citation and notice.sent_on is None


def test_cpuc_energy_notice_counts_five_mailing_days_plus_ten(officer):
    use_policy("CA_CPUC_ENERGY")
    account = AccountFactory()
    bill(account, "95.00", due=date(2026, 10, 20), billed=date(2026, 10, 1))
    batch = notice_batch_build(kind="shutoff", business_date=date(2026, 10, 21), actor=officer)
    notice = batch.notices.get()
    assert notice.earliest_action >= date(2026, 10, 21) + timedelta(days=15)
    # the engine agrees once the notice is on record
    policy, _ = current_policy()
    notice_batch_mark_sent(batch_id=batch.pk, sent_on=date(2026, 10, 21), method="mail", actor=officer)
    decision = engine.decide(
        policy, facts_for_account(account.pk, as_of=date(2026, 11, 4)), date(2026, 11, 4)
    )
    assert not decision.eligible and decision.earliest_date >= date(2026, 11, 5)


def test_new_york_final_notice_waits_20_days_after_the_due_date(officer):
    use_policy("NY_HEFPA")
    account = AccountFactory()
    bill(account, "210.00", due=date(2026, 10, 1), billed=date(2026, 9, 10))
    assert (
        notice_batch_build(kind="shutoff", business_date=date(2026, 10, 20), actor=officer).notices.count()
        == 0
    )
    notice = notice_batch_build(kind="shutoff", business_date=date(2026, 10, 21), actor=officer).notices.get()
    assert notice.earliest_action >= date(2026, 11, 5)  # at least 15 days after the notice


def test_building_again_adds_nothing_and_a_sent_batch_is_never_added_to(officer):
    use_policy("DEFAULT")
    first = AccountFactory()
    bill(first, "100.00", due=date(2026, 9, 1))
    day = date(2026, 10, 21)
    batch = notice_batch_build(kind="shutoff", business_date=day, actor=officer)
    again = notice_batch_build(kind="shutoff", business_date=day, actor=officer)
    assert again.pk == batch.pk and batch.notices.count() == 1
    later = AccountFactory()
    bill(later, "100.00", due=date(2026, 9, 1))
    notice_batch_build(kind="shutoff", business_date=day, actor=officer)
    assert _kinds(batch) == sorted([(first.pk, "shutoff"), (later.pk, "shutoff")])
    # an unsent notice waiting in one batch keeps the account out of the next day's batch
    assert (
        notice_batch_build(
            kind="shutoff", business_date=day + timedelta(days=1), actor=officer
        ).notices.count()
        == 0
    )


def test_landlord_owned_premise_gets_an_occupant_notice_with_the_shutoff_notice(officer):
    use_policy("DEFAULT")
    landlord = CustomerFactory(first_name="Rita", last_name="Landlord")
    premise = PremiseFactory(owner=landlord, address="42 Rental Row", unit="B")
    account = AccountFactory(customer=landlord, premise=premise, occupancy="tenant")
    bill(account, "300.00", due=date(2026, 9, 1))
    batch = notice_batch_build(kind="shutoff", business_date=date(2026, 10, 21), actor=officer)
    assert _kinds(batch) == [(account.pk, "occupant"), (account.pk, "shutoff")]
    occupant = batch.notices.get(kind="occupant")
    assert occupant.addressee == "Occupant" and occupant.address.startswith("42 Rental Row #B")
    text = pdf_text(notice_batch_pdf(batch))
    assert "Occupant" in text and "42 Rental Row #B" in text and "without paying the owner" in text
    assert text.count("$300.00") >= 2


def test_occupant_copies_go_where_the_occupants_are_not_the_customer(officer):
    # A tenant billed in their own name for their own unit is the customer: an "Occupant" copy to
    # the same door would be noise and its 10 days would hold the shutoff back for nothing. The
    # whole building on one account is what the occupant notice protects.
    use_policy("DEFAULT")
    landlord = CustomerFactory(first_name="Rita", last_name="Landlord")
    building = PremiseFactory(owner=landlord, address="9 Court St")
    unit = PremiseFactory(owner=landlord, parent=building, address="9 Court St", unit="4")
    tenant = AccountFactory(customer=CustomerFactory(first_name="Ana"), premise=unit, occupancy="tenant")
    hoa = CustomerFactory(kind="business", business_name="Court St HOA")  # holds the building's meter
    whole = AccountFactory(customer=hoa, premise=building, account_class="multi_unit", occupancy="owner")
    for account in (tenant, whole):
        bill(account, "300.00", due=date(2026, 9, 1))

    day = date(2026, 10, 21)
    facts = facts_for_accounts([tenant.pk, whole.pk], as_of=day)
    assert not facts[tenant.pk].multiple_dwelling and not facts[tenant.pk].landlord_owned
    assert not facts[tenant.pk].single_family, "a unit is not a single-family home (Phoenix low flow)"
    assert facts[whole.pk].multiple_dwelling and not facts[whole.pk].landlord_owned
    batch = notice_batch_build(kind="shutoff", business_date=day, actor=officer)
    assert _kinds(batch) == sorted([(tenant.pk, "shutoff"), (whole.pk, "occupant"), (whole.pk, "shutoff")])
    policy, _ = current_policy()
    checked = engine.decide(policy, facts[whole.pk], day).checks
    gate = next(c for c in checked if c.code == "OCCUPANT_NOTICE")
    assert gate.reason.startswith("One account serves a building of units")
    assert "OCCUPANT_NOTICE" not in {c.code for c in engine.decide(policy, facts[tenant.pk], day).checks}


def test_the_pdf_states_amount_pay_by_earliest_date_help_and_citation(officer):
    use_policy("AZ_MESA")
    accounts = [AccountFactory() for _ in range(3)]
    for i, account in enumerate(accounts):
        bill(account, f"{120 + i}.50", due=date(2026, 9, 1))
    batch = notice_batch_build(kind="shutoff", business_date=date(2026, 10, 21), actor=officer)
    data = notice_batch_pdf(batch)
    text = pdf_text(data)
    assert len(PdfReader(BytesIO(data)).pages) == 3  # one page per notice, numbered over the batch
    assert "Notice 1 of 3" in text and "Notice 3 of 3" in text
    for account in accounts:
        assert account.number in text
    notice = batch.notices.order_by("account_id").first()
    assert f"${notice.amount_due}" in text
    assert f"{notice.pay_by:%B} {notice.pay_by.day}, {notice.pay_by.year}" in text
    assert f"{notice.earliest_action:%B} {notice.earliest_action.day}, {notice.earliest_action.year}" in text
    assert "earliest disconnection date" in text and "Payment arrangement" in text
    assert "appeal" in text and "medical" in text.lower() and "This notice is given under" in text
    one = pdf_text(notice_pdf(notice))
    assert notice.account.number in one and "Page 1 of 1" in one


def test_mark_sent_dates_every_notice_and_charges_the_notice_fee_once(officer):
    use_policy("AZ_MESA")  # $3 per disconnection notice
    landlord = CustomerFactory()
    account = AccountFactory(customer=landlord, premise=PremiseFactory(owner=landlord), occupancy="tenant")
    bill(account, "100.00", due=date(2026, 9, 1))
    day = date(2026, 10, 21)
    batch = notice_batch_build(kind="shutoff", business_date=day, actor=officer)
    with pytest.raises(DomainError, match="build a new batch"):
        notice_batch_mark_sent(
            batch_id=batch.pk, sent_on=day + timedelta(days=1), method="mail", actor=officer
        )
    notice_batch_mark_sent(batch_id=batch.pk, sent_on=day, method="mail", actor=officer)
    notice_batch_mark_sent(batch_id=batch.pk, sent_on=day, method="mail", actor=officer)
    batch.refresh_from_db()
    assert batch.sent_on == day and batch.sent_by == officer
    assert set(batch.notices.values_list("sent_on", "method")) == {(day, "mail")}
    fees = LedgerEntry.objects.filter(account=account, kind="fee")
    assert [f.amount for f in fees] == [Decimal("3.00")]  # the shutoff notice; not the occupant copy
    assert fees.get().fund.code == "FEE"
    assert batch.notices.get(kind="shutoff").fee_amount == Decimal("3.00")
    account.refresh_from_db()
    assert account.balance == Decimal("103.00") == ledger_sum(account.pk)
    # the clocks run: the engine sees both notices, and no longer plans a shutoff notice
    facts = facts_for_account(account.pk, as_of=day + timedelta(days=1))
    assert {n.kind for n in facts.notices} == {"shutoff", "occupant"}
    policy, _ = current_policy()
    assert "shutoff" not in {p.kind for p in engine.notice_plans(policy, facts, day + timedelta(days=1))}


def test_a_phone_contact_recorded_by_hand_counts_as_notice_without_a_fee(officer):
    use_policy("CA_SB998_WATER", **{"fees__notice": "3.00"})
    account = AccountFactory()
    bill(account, "140.00", due=date(2026, 8, 1))
    today = timezone.localdate()
    key = str(uuid4())
    notice = notice_record(
        account_id=account.pk,
        kind="shutoff",
        method="phone",
        sent_on=today,
        actor=officer,
        idempotency_key=key,
    )
    again = notice_record(
        account_id=account.pk,
        kind="shutoff",
        method="phone",
        sent_on=today,
        actor=officer,
        idempotency_key=key,
    )
    assert again.pk == notice.pk and Notice.objects.count() == 1
    assert notice.sent_on == today and notice.method == "phone" and notice.fee_amount == 0
    assert notice.amount_due == Decimal("140.00") and "116908" in notice.citation
    assert not LedgerEntry.objects.filter(account=account, kind="fee").exists()
    facts = facts_for_account(account.pk, as_of=today)
    assert [(n.kind, n.method) for n in facts.notices] == [("shutoff", "phone")]
    with pytest.raises(DomainError, match="before it is given"):
        notice_record(
            account_id=account.pk, kind="shutoff", method="mail", sent_on=today + timedelta(days=1),
            actor=officer, idempotency_key=str(uuid4()),
        )  # fmt: skip


def test_a_paid_account_gets_no_notice(officer):
    use_policy("DEFAULT")
    account = AccountFactory()
    bill(account, "100.00", due=date(2026, 9, 1))
    pay(account, "100.00", on=date(2026, 10, 1))
    assert (
        notice_batch_build(kind="shutoff", business_date=date(2026, 10, 21), actor=officer).notices.count()
        == 0
    )


@pytest.mark.parametrize("preset", ["DEFAULT", "NY_HEFPA", "CA_CPUC_ENERGY", "PA_CH14", "AZ_PHOENIX_WATER"])
def test_the_set_based_cut_never_drops_an_account_the_engine_would_notice(preset, officer):
    from accounts.models import Account
    from collections_app.services.notices import notice_batch_plan

    use_policy(preset)
    day = date(2026, 11, 18)
    for age in range(2, 130, 6):  # oldest unpaid bill due `age` days ago
        account = AccountFactory()
        bill(account, "80.00", due=day - timedelta(days=age))
        if age % 4 == 0:  # some were noticed already, some long ago
            Notice.objects.create(
                account=account, kind="shutoff", addressee="x", sent_on=day - timedelta(days=age // 2),
                idempotency_key=f"old:{account.pk}",
            )  # fmt: skip
    policy, _ = current_policy()
    every = facts_for_accounts(list(Account.objects.values_list("pk", flat=True)), as_of=day)
    expected = {
        pk for pk, facts in every.items()
        if any(p.kind == "shutoff" and p.send_on <= day for p in engine.notice_plans(policy, facts, day))
    }  # fmt: skip
    planned = {p.account_id for p in notice_batch_plan(policy=policy, kind="shutoff", business_date=day)}
    assert expected and planned == expected
