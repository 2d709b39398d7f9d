"""The engine's facts read from the database: every kind of fact arrives, dated as of the
evaluation date, in a number of queries that does not grow with the number of accounts."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.utils import timezone

from accounts.models import Bill, EntryKind, Service
from accounts.services.ledger import EntrySpec
from accounts.tests.factories import AccountFactory, CustomerFactory, PremiseFactory, charge, fund, pay
from accounts.tests.factories import post as post_entries
from collections_app.models import (
    Appeal,
    BankruptcyCase,
    ContactAttempt,
    MedicalCertificate,
    Notice,
    SecurityDeposit,
    ServiceOrder,
)
from collections_app.selectors.facts import facts_for_account, facts_for_accounts
from counseling.models import Arrangement, Installment, ProgramEnrollment
from counseling.services.agencies import pledge_record
from counseling.tests.factories import agency, interview
from payments.services.returns import tender_return
from payments.tests.factories import check, open_session, post
from policy.models import WeatherDay

pytestmark = pytest.mark.django_db
AS_OF = timezone.localdate()


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def officer(make_user):
    return make_user("olivia", "Collections officer")


def test_bills_are_grouped_by_due_date_with_what_is_still_unpaid():
    account = AccountFactory()
    charge(account, "100.00", due=AS_OF - timedelta(days=70))
    charge(account, "40.00", due=AS_OF - timedelta(days=70), code="SWR")
    charge(account, "90.00", due=AS_OF - timedelta(days=40))
    charge(account, "80.00", due=AS_OF + timedelta(days=5))
    pay(account, "120.00", on=AS_OF - timedelta(days=30))
    Bill.objects.create(
        number="B-1",
        account=account,
        period_start=AS_OF - timedelta(days=130),
        period_end=AS_OF - timedelta(days=100),
        bill_date=AS_OF - timedelta(days=95),
        due_date=AS_OF - timedelta(days=70),
        total=Decimal("140.00"),
    )
    facts = facts_for_account(account.pk, as_of=AS_OF)
    assert [(b.due_date, b.amount, b.paid_amount) for b in facts.bills] == [
        (AS_OF - timedelta(days=70), Decimal("140.00"), Decimal("120.00")),
        (AS_OF - timedelta(days=40), Decimal("90.00"), Decimal("0.00")),
        (AS_OF + timedelta(days=5), Decimal("80.00"), Decimal("0.00")),
    ]
    assert facts.bills[0].bill_date == AS_OF - timedelta(days=95), "the bill's own date, not the posting date"
    assert facts.balance == Decimal("190.00")
    # both past bills were still owed at the end of their due dates
    assert facts.late_payments_12m == 2
    # as of a date before the payment, nothing was paid yet
    earlier = facts_for_account(account.pk, as_of=AS_OF - timedelta(days=35))
    assert earlier.bills[0].paid_amount == Decimal("0.00") and earlier.balance == Decimal("230.00")
    assert len(earlier.bills) == 2, "a charge posted after the evaluation date is not seen"


def test_bills_paid_on_time_are_not_late():
    account = AccountFactory()
    for months in (3, 2, 1):
        due = AS_OF - timedelta(days=30 * months)
        charge(account, "50.00", due=due)
        pay(account, "50.00", on=due)
    facts = facts_for_account(account.pk, as_of=AS_OF)
    assert facts.late_payments_12m == 0 and facts.balance == Decimal("0.00")
    assert all(b.unpaid == 0 for b in facts.bills)


def test_every_kind_of_fact_arrives(officer, make_user):
    counselor = make_user("carmen", "Counselor")
    cashier = make_user("cass", "Cashier")
    landlord = CustomerFactory(kind="business", business_name="Desert Rentals LLC", life_support=True)
    building = PremiseFactory(owner=landlord)
    PremiseFactory(parent=building, unit="2")
    account = AccountFactory(
        customer=landlord, premise=building, account_class="multi_unit", occupancy="tenant"
    )
    charge(account, "300.00", due=AS_OF - timedelta(days=90))
    late_fee_day = AS_OF - timedelta(days=80)
    post_entries(
        account,
        EntrySpec(
            fund_id=fund("FEE").pk,
            kind=EntryKind.LATE_FEE,
            amount=Decimal("6.00"),
            effective_date=late_fee_day,
            due_date=late_fee_day,
        ),
    )
    # a payment by check, then returned by the bank
    session = open_session(cashier)
    txn = post(session, cashier, (account, "50.00"), tenders=[check("50.00")])
    tender_return(
        tender_id=txn.tenders.get().pk,
        returned_on=AS_OF,
        reason="NSF",
        actor=cashier,
        idempotency_key=uuid4(),
    )
    # on low flow after the payment (a payment on a low-flow account may order its reconnection)
    Service.objects.filter(account=account).update(status="low_flow")
    Notice.objects.create(
        account=account,
        kind="shutoff",
        method="mail",
        addressee="X",
        sent_on=AS_OF - timedelta(days=12),
        idempotency_key="n1",
    )
    Notice.objects.create(
        account=account,
        kind="final",
        addressee="X",
        sent_on=AS_OF - timedelta(days=2),
        voided=True,
        idempotency_key="n2",
    )
    Notice.objects.create(account=account, kind="occupant", addressee="Occupant", idempotency_key="n3")
    ContactAttempt.objects.create(
        account=account, at=_at(AS_OF - timedelta(days=3)), method="phone", reached=True, made_by=officer
    )
    MedicalCertificate.objects.create(
        account=account,
        received_on=AS_OF - timedelta(days=5),
        certifier="Dr. Lee",
        renewal=1,
        willing_to_plan=True,
        recorded_by=officer,
    )
    pledge_record(
        account_id=account.pk,
        agency_id=agency().pk,
        program="LIHEAP",
        amount=Decimal("100.00"),
        pledged_on=AS_OF - timedelta(days=4),
        expected_by=AS_OF + timedelta(days=20),
        reference="V-9",
        counselor=counselor,
    )
    arr = Arrangement.objects.create(
        account=account,
        counselor=counselor,
        status="active",
        total=Decimal("300.00"),
        down_payment=Decimal("50.00"),
        installment_count=2,
        months=2,
        reason="test",
        idempotency_key="arr-1",
    )
    Installment.objects.create(
        arrangement=arr,
        number=0,
        due_date=AS_OF - timedelta(days=1),
        amount=Decimal("50.00"),
        paid_amount=Decimal("50.00"),
        status="paid",
        paid_on=AS_OF - timedelta(days=1),
    )
    Installment.objects.create(
        arrangement=arr, number=1, due_date=AS_OF + timedelta(days=30), amount=Decimal("250.00")
    )
    BankruptcyCase.objects.create(
        account=account,
        chapter=13,
        case_number="26-10001",
        petition_date=AS_OF - timedelta(days=10),
        pre_petition_balance=Decimal("300.00"),
        assurance_deadline=AS_OF + timedelta(days=10),
        recorded_by=officer,
    )
    Appeal.objects.create(
        account=account, opened_on=AS_OF - timedelta(days=1), subject="bill", opened_by=officer
    )
    iv = interview(account, counselor, size=4, monthly_income="1500.00", benefits=["snap", "wic"])
    ProgramEnrollment.objects.create(
        account=account,
        program="low_income",
        certified_on=AS_OF,
        recert_due=AS_OF + timedelta(days=700),
        interview=iv,
        counselor=counselor,
    )
    WeatherDay.objects.create(date=AS_OF + timedelta(days=1), high_f=110, heat_advisory=True)
    WeatherDay.objects.create(date=AS_OF - timedelta(days=30), high_f=70)
    SecurityDeposit.objects.create(
        account=account,
        required_amount=Decimal("150.00"),
        status="held",
        held_amount=Decimal("150.00"),
        held_since=AS_OF - timedelta(days=200),
        idempotency_key="dep-1",
    )
    ServiceOrder.objects.create(
        account=account,
        kind="low_flow",
        status="completed",
        reason="list",
        scheduled_for=AS_OF,
        completed_at=timezone.now() - timedelta(days=40),
        idempotency_key="o-1",
    )

    f = facts_for_account(account.pk, as_of=AS_OF)
    assert f.residential and not f.single_family and f.multiple_dwelling
    assert f.landlord_owned and f.life_support
    assert (f.utility, f.service_state) == ("water", "low_flow")
    assert [(b.due_date, b.amount, b.late_fee_assessed) for b in f.bills] == [
        (AS_OF - timedelta(days=90), Decimal("300.00"), True),
        (late_fee_day, Decimal("6.00"), False),
        (AS_OF, Decimal("25.00"), False),  # the returned-check fee, due the day it was charged
    ]
    assert len(f.payments) == 1 and f.payments[0].returned and f.payments[0].returned_on == AS_OF
    assert f.payments[0].amount == Decimal("50.00")
    assert [(n.kind, n.sent_on, n.method) for n in f.notices] == [
        ("shutoff", AS_OF - timedelta(days=12), "mail")
    ], "voided and unsent notices start no clock"
    assert f.contact_attempts[0].on == AS_OF - timedelta(days=3) and f.contact_attempts[0].reached
    assert f.medical_certificates[0].renewal == 1 and f.medical_certificates[0].willing_to_plan
    assert f.willing_to_plan and not f.disconnect_scheduled and f.credit_history_months >= 70
    assert f.pledges[0].status == "pending" and f.pledges[0].amount == Decimal("100.00")
    (a,) = f.arrangements
    assert a.status == "active" and a.down_payment == Decimal("50.00")
    assert [(i.amount, i.paid_amount) for i in a.installments] == [
        (Decimal("50.00"), Decimal("50.00")),
        (Decimal("250.00"), Decimal("0.00")),
    ]
    assert f.bankruptcy is not None and f.bankruptcy.chapter == 13
    assert f.bankruptcy.pre_petition_balance == Decimal("300.00")
    assert f.appeal_pending
    assert f.poverty_pct == iv.fpl_percent
    assert set(f.benefit_programs) == {"SNAP", "WIC", "LOW_INCOME_PROGRAM"}
    assert [(w.on, w.heat_advisory) for w in f.weather] == [(AS_OF + timedelta(days=1), True)]
    assert f.deposits[0].amount == Decimal("150.00")
    assert f.disconnections_12m == 1
    assert f.late_payments_12m == 1
    # a day before the petition, the appeal, the pledge and the certificate: none of them yet
    before = facts_for_account(account.pk, as_of=AS_OF - timedelta(days=13))
    assert before.bankruptcy is None and not before.appeal_pending and not before.pledges
    assert not before.medical_certificates and not before.notices


def test_landlord_and_tenant_accounts():
    landlord = CustomerFactory()
    rental = PremiseFactory(owner=landlord)
    tenant_account = AccountFactory(premise=rental, occupancy="tenant")
    owner_billed = AccountFactory(
        customer=landlord, premise=PremiseFactory(owner=landlord), occupancy="tenant"
    )
    home_owner = CustomerFactory()
    owner_home = AccountFactory(
        customer=home_owner, premise=PremiseFactory(owner=home_owner), occupancy="owner"
    )
    facts = facts_for_accounts([tenant_account.pk, owner_billed.pk, owner_home.pk], as_of=AS_OF)
    assert not facts[tenant_account.pk].landlord_owned, "the tenant is the customer: notices reach them"
    assert facts[owner_billed.pk].landlord_owned, "the owner is billed, tenants live there"
    assert not facts[owner_home.pk].landlord_owned
    assert facts[owner_home.pk].single_family and facts[owner_home.pk].bills == ()


def test_final_billed_account_and_no_live_service():
    account = AccountFactory(status="final", final_bill_requested_on=AS_OF - timedelta(days=20))
    Service.objects.filter(account=account).update(ended_on=AS_OF - timedelta(days=20), status="final")
    f = facts_for_account(account.pk, as_of=AS_OF)
    assert f.final_billed_on == AS_OF - timedelta(days=20)
    assert f.service_state == "disconnected"


def _city(n: int) -> list[int]:
    ids = []
    for i in range(n):
        account = AccountFactory()
        charge(account, "120.00", due=AS_OF - timedelta(days=75))
        if i % 2:
            pay(account, "20.00", on=AS_OF - timedelta(days=10))
        Notice.objects.create(
            account=account,
            kind="shutoff",
            addressee="X",
            sent_on=AS_OF - timedelta(days=9),
            idempotency_key=f"city-{account.pk}",
        )
        ids.append(account.pk)
    return ids


def test_query_count_does_not_grow_with_accounts(django_assert_max_num_queries):
    ids = _city(50)
    with django_assert_max_num_queries(16) as one:
        facts_for_accounts(ids[:1], as_of=AS_OF)
    with django_assert_max_num_queries(len(one.captured_queries)):
        facts = facts_for_accounts(ids, as_of=AS_OF)
    assert len(facts) == 50 and all(len(f.notices) == 1 and f.bills for f in facts.values())
    assert facts_for_accounts([], as_of=AS_OF) == {}
