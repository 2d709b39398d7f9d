"""Agency referrals: who the nightly batch refers, the fee, monthly interest once per month,
the referral file, recall, and the agency's remittance file (all or nothing)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Account, Bill, EntryKind, LedgerEntry
from accounts.services.ledger import ledger_sum
from accounts.tests.factories import AccountFactory, CustomerFactory, charge
from collections_app.models import (
    AgencyReferral,
    BankruptcyCase,
    CollectionAgency,
    ReferralStatus,
)
from collections_app.models.recovery import AgencyRemittance
from collections_app.selectors.recovery import REFERRAL_FILE_COLUMNS
from collections_app.services.agency import (
    referral_batch_run,
    referral_interest_run,
    referral_recall,
    remittance_import,
)
from collections_app.tests.export_jobs import export_job, job_csv
from common.dates import add_months
from common.exceptions import DomainError, ImportRejected
from common.models import Job
from counseling.models import Arrangement
from payments.models import Payment, TenderKind

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
_bills = iter(range(10**6))


def final_billed(days_ago: int, amount: str = "200.00", **kw) -> Account:  # type: ignore[no-untyped-def]
    account = AccountFactory(status="final", **kw)
    billed = TODAY - timedelta(days=days_ago)
    Bill.objects.create(
        number=f"FB{next(_bills):06d}",
        account=account,
        period_start=billed - timedelta(days=30),
        period_end=billed,
        bill_date=billed,
        due_date=billed + timedelta(days=20),
        total=Decimal(amount),
        is_final=True,
    )
    charge(account, amount, due=billed + timedelta(days=20), billed=billed)
    return account


@pytest.fixture
def agency():
    return CollectionAgency.objects.create(name="Desert Recovery Services", contact="(602) 555-0199")


@pytest.fixture
def officer(make_user):
    return make_user("olga", "Collections officer")


def test_batch_refers_final_billed_accounts_past_the_policy_days_once(agency, officer):
    due = final_billed(100, customer=CustomerFactory(first_name="Ana", last_name="Ruiz"))
    final_billed(60)  # too soon
    bankrupt = final_billed(120)
    BankruptcyCase.objects.create(
        account=bankrupt,
        chapter=7,
        case_number="26-10001",
        petition_date=TODAY - timedelta(days=10),
        assurance_deadline=TODAY + timedelta(days=10),
        recorded_by=officer,
    )
    arranged = final_billed(120)
    Arrangement.objects.create(
        account=arranged,
        counselor=officer,
        status="active",
        months=6,
        installment_count=6,
        total=Decimal("200.00"),
        reason="x",
        idempotency_key="arr-test",
    )
    recalled = final_billed(200)
    AgencyReferral.objects.create(
        account=recalled,
        agency=agency,
        referred_on=TODAY - timedelta(days=90),
        principal=Decimal("200.00"),
        status=ReferralStatus.RECALLED,
    )
    also_due = final_billed(150)
    active = AccountFactory()
    charge(active, "300.00", due=TODAY - timedelta(days=200))

    run = referral_batch_run(business_date=TODAY, actor=officer)

    referred = AgencyReferral.objects.filter(batch=run)
    assert set(referred.values_list("account_id", flat=True)) == {due.pk, also_due.pk}
    assert run.counts["referred"] == 2 and run.status == "finished"
    r = referred.get(account=due)
    assert (r.principal, r.fee_amount, r.interest_through, r.status) == (
        Decimal("200.00"),
        Decimal("40.00"),  # 20% (Yuma 193-71) at referral
        TODAY,
        ReferralStatus.REFERRED,
    )
    fee = LedgerEntry.objects.get(account=due, reference=f"AGENCY FEE R{r.pk}")
    assert (fee.kind, fee.fund.code, fee.amount) == (EntryKind.FEE, "FEE", Decimal("40.00"))
    due.refresh_from_db()
    assert due.balance == Decimal("240.00") == ledger_sum(due.pk)

    entries = LedgerEntry.objects.count()
    assert referral_batch_run(business_date=TODAY).pk == run.pk
    assert LedgerEntry.objects.count() == entries and AgencyReferral.objects.count() == 3
    # tomorrow's batch finds nobody new: the referred accounts are referred
    assert referral_batch_run(business_date=TODAY + timedelta(days=1)).counts["referred"] == 0


def test_the_agency_may_charge_its_own_fee(officer):
    CollectionAgency.objects.create(name="Own fee agency", fee_pct=Decimal("0.25"))
    account = final_billed(95, "100.00")
    referral_batch_run(business_date=TODAY)
    assert AgencyReferral.objects.get(account=account).fee_amount == Decimal("25.00")


def test_no_agency_is_explained():
    final_billed(100)
    with pytest.raises(DomainError, match="collection agency"):
        referral_batch_run(business_date=TODAY)


@pytest.fixture
def referral(agency):
    final_billed(
        100, "200.00", number="0000550001", customer=CustomerFactory(first_name="Ana", last_name="Ruiz")
    )
    referral_batch_run(business_date=TODAY)
    return AgencyReferral.objects.get()


def test_monthly_interest_is_charged_once_per_month(referral):
    one_month = add_months(TODAY, 1)
    assert referral_interest_run(as_of=one_month - timedelta(days=1))["referrals_charged"] == 0

    result = referral_interest_run(as_of=one_month)
    assert result == {"referrals_charged": 1, "interest": "3.60"}  # 1.5% of 240.00
    again = referral_interest_run(as_of=one_month + timedelta(days=3))
    assert again["referrals_charged"] == 0
    interest = LedgerEntry.objects.filter(kind=EntryKind.INTEREST)
    assert [(e.amount, e.effective_date) for e in interest] == [(Decimal("3.60"), one_month)]
    referral.refresh_from_db()
    assert referral.interest_amount == Decimal("3.60") and referral.interest_through == one_month

    # two more months at once (a missed night): charged month by month, never on interest
    referral_interest_run(as_of=add_months(TODAY, 3))
    assert list(interest.order_by("effective_date").values_list("amount", flat=True)) == [Decimal("3.60")] * 3
    account = referral.account
    account.refresh_from_db()
    assert account.balance == Decimal("250.80") == ledger_sum(account.pk)


def test_recall_stops_interest_and_needs_a_reason(referral, officer):
    with pytest.raises(DomainError, match="why"):
        referral_recall(referral_id=referral.pk, reason="", actor=officer)
    recalled = referral_recall(
        referral_id=referral.pk, reason="Customer disputes the final read", actor=officer
    )
    assert recalled.status == ReferralStatus.RECALLED and recalled.recalled_on == TODAY
    assert referral_interest_run(as_of=add_months(TODAY, 2))["referrals_charged"] == 0
    with pytest.raises(DomainError, match="recalled"):
        referral_recall(referral_id=referral.pk, reason="again", actor=officer)


@pytest.mark.django_db(transaction=True, databases=["default", "jobs"])
def test_referral_file_has_the_documented_columns_and_no_id_numbers(referral, role_clients, celery_worker):
    customer = referral.account.customer
    customer.id_document_type, customer.id_last4 = "ssn", "6789"
    customer.save()
    client = role_clients["Collections officer"]
    job = export_job(client, "/collections/recovery/referrals/file.csv", {"date": str(TODAY)})
    data, rows = job_csv(client, job)
    assert job.output_name == f"agency-referrals-{TODAY}.csv" and job.total == 1 == job.done
    again = client.post("/collections/recovery/referrals/file.csv", {"date": str(TODAY)})
    assert again["Location"] == f"/jobs/{job.pk}/"  # the same file of unchanged referrals
    assert rows[0] == REFERRAL_FILE_COLUMNS
    assert REFERRAL_FILE_COLUMNS == [
        "referral_id", "agency", "referred_on", "account_number", "customer_name", "mail_line1",
        "mail_line2", "mail_city", "mail_state", "mail_postal_code", "phone", "service_address",
        "principal", "collection_fee", "interest", "balance", "last_payment_date", "final_bill_date",
    ]  # fmt: skip
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["account_number"] == "0000550001" and row["customer_name"] == "Ana Ruiz"
    assert row["mail_line1"] == "100 W Main St" and row["phone"] == "(602) 555-0100"
    assert row["balance"] == "240.00" and row["final_bill_date"] == (TODAY - timedelta(days=100)).isoformat()
    assert row["last_payment_date"] == ""
    assert "6789" not in data.decode() and "ssn" not in data.decode().lower()
    open_file = export_job(client, "/collections/recovery/referrals/file.csv")  # all open: another job
    assert open_file.pk != job.pk and str(referral.pk) in [r[0] for r in job_csv(client, open_file)[1][1:]]
    assert open_file.output_name == "agency-referrals-open.csv"


def test_the_referral_file_button_never_builds_the_csv_in_the_request(referral, role_clients, monkeypatch):
    import collections_app.export_jobs as export_jobs

    boom = lambda *a, **k: (_ for _ in ()).throw(AssertionError)  # noqa: E731
    monkeypatch.setattr(export_jobs, "csv_bytes", boom)
    monkeypatch.setattr(export_jobs, "referral_file_rows", boom)
    client = role_clients["Collections officer"]
    response = client.post("/collections/recovery/referrals/file.csv", {"date": str(TODAY)})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == "queued" and job.params == {"date": TODAY.isoformat()}
    assert client.get("/collections/recovery/referrals/file.csv").status_code == 405


def _file(*lines: str) -> bytes:
    return (
        "account_number,referral_id,agency_ref,amount,paid_on,commission\n" + "\n".join(lines) + "\n"
    ).encode()


def test_remittance_posts_agency_payments_and_closes_a_paid_referral(referral, agency, officer):
    other = final_billed(100, "80.00", number="0000550002")
    second = AgencyReferral.objects.create(
        account=other, agency=agency, referred_on=TODAY - timedelta(days=1), principal=Decimal("80.00"),
        agency_ref="DRS-77",
    )  # fmt: skip
    data = _file(
        f"0000550001,{referral.pk},,100.00,{TODAY},20.00",
        f"0000550002,,DRS-77,80.00,{TODAY},16.00",
    )

    record = remittance_import(data=data, file_name="remit-june.csv", agency_id=agency.pk, actor=officer)

    assert (record.lines, record.total, record.commission) == (2, Decimal("180.00"), Decimal("36.00"))
    referral.refresh_from_db()
    second.refresh_from_db()
    assert referral.collected_amount == Decimal("100.00") and referral.status == ReferralStatus.REFERRED
    assert second.collected_amount == Decimal("80.00") and second.status == ReferralStatus.PAID
    assert second.paid_on == TODAY
    payments = Payment.objects.filter(account__in=[referral.account, other])
    assert {p.tender_kind for p in payments} == {TenderKind.AGENCY} and payments.count() == 2
    for a in (referral.account, other):
        a.refresh_from_db()
        assert a.balance == ledger_sum(a.pk)
    assert referral.account.balance == Decimal("140.00") and other.balance == 0
    with pytest.raises(ImportRejected) as exc:
        remittance_import(data=data, file_name="again.csv", agency_id=agency.pk, actor=officer)
    assert "already" in exc.value.errors[0][1] or "imported" in exc.value.errors[0][1]


def test_a_bad_remittance_line_rejects_the_whole_file_with_line_numbers(referral, agency, officer):
    other_agency = CollectionAgency.objects.create(name="Other agency")
    data = _file(
        f"0000550001,{referral.pk},,50.00,{TODAY},5.00",
        f"0000550009,{referral.pk},,50.00,{TODAY},",
        f"0000550001,,NOPE-1,50.00,{TODAY},",
        f"0000550001,{referral.pk},,abc,{TODAY},",
        f"0000550001,{referral.pk},,10.00,{TODAY + timedelta(days=2)},",
        f"0000550001,{referral.pk},,10.00,{TODAY},11.00",
    )
    with pytest.raises(ImportRejected) as exc:
        remittance_import(data=data, file_name="bad.csv", agency_id=agency.pk, actor=officer)
    lines = dict(exc.value.errors)
    assert sorted(lines) == [3, 4, 5, 6, 7]
    assert "is account 0000550001, not 0000550009" in lines[3]
    assert "agency ref NOPE-1" in lines[4]
    assert "not an amount" in lines[5] and "future" in lines[6] and "commission" in lines[7]
    assert not Payment.objects.exists() and not AgencyRemittance.objects.exists()
    with pytest.raises(ImportRejected) as exc:
        remittance_import(
            data=_file(f"0000550001,{referral.pk},,50.00,{TODAY},"),
            file_name="wrong-agency.csv",
            agency_id=other_agency.pk,
            actor=officer,
        )
    assert "placed with Desert Recovery Services" in exc.value.errors[0][1]


def test_remittance_page_hands_the_file_to_a_job_and_saves_nothing(referral, role_clients):
    """The job's worker posts it or lists its bad lines (test_remittance_job)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from common.models import Job

    upload = SimpleUploadedFile("bad.csv", _file(f"0000550001,{referral.pk},,-5,{TODAY},"))
    answer = role_clients["Collections officer"].post(
        "/collections/recovery/referrals/remittance/", {"agency": referral.agency_id, "file": upload}
    )
    job = Job.objects.get(kind="collections.remittance_import")
    assert answer.status_code == 302 and answer["Location"] == f"/jobs/{job.pk}/"
    assert job.params == {"agency_id": referral.agency_id}
    assert not Payment.objects.exists()


def test_referral_letter_pdf(referral, role_clients):
    from conftest import pdf_text

    response = role_clients["Collections officer"].get(
        f"/collections/recovery/referrals/{referral.pk}/letter.pdf"
    )
    text = pdf_text(response.content)
    assert "referred to a collection agency" in text and "Desert Recovery Services" in text
    assert "Ana Ruiz" in text and "$240.00" in text and "$40.00" in text


def test_referral_list_by_status(referral, role_clients):
    page = role_clients["Supervisor"].get("/collections/recovery/referrals/?status=referred").content.decode()
    assert "0000550001" in page
    page = role_clients["Supervisor"].get("/collections/recovery/referrals/?status=paid").content.decode()
    assert "0000550001" not in page


def test_referral_eligibility_depends_on_the_date(agency):
    account = final_billed(90)
    run = referral_batch_run(business_date=TODAY - timedelta(days=1))  # 89 days after the final bill
    assert run.counts["referred"] == 0
    assert referral_batch_run(business_date=TODAY).counts["referred"] == 1
    assert AgencyReferral.objects.get().account == account


DESK = {"Collections officer", "Supervisor"}


@pytest.mark.parametrize(
    ("path", "allowed", "method", "ok"),
    [
        ("/collections/recovery/referrals/", DESK, "get", 200),
        ("/collections/recovery/referrals/file.csv", DESK, "post", 302),
        ("/collections/recovery/referrals/remittance/", DESK, "get", 200),
        ("/collections/recovery/referrals/{pk}/", DESK, "get", 200),
        ("/collections/recovery/referrals/{pk}/letter.pdf", DESK, "get", 200),
        ("/collections/recovery/agencies/", {"Administrator"}, "get", 200),
        ("/collections/recovery/agencies/new", {"Administrator"}, "get", 200),
        ("/collections/recovery/agencies/{agency}/edit", {"Administrator"}, "get", 200),
        ("/api/v1/agency-referrals?status=referred", DESK, "get", 200),
    ],
)
def test_agency_pages_by_role(role_clients, referral, path, allowed, method, ok):
    from conftest import assert_access

    url = path.format(pk=referral.pk, agency=referral.agency_id)
    assert_access(role_clients, url, allowed, method=method, ok=ok)


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/collections/recovery/referrals/run", {"Collections officer", "Supervisor"}),
        ("/collections/recovery/referrals/{pk}/recall", {"Collections officer", "Supervisor"}),
    ],
)
def test_agency_actions_by_role(role_clients, referral, path, allowed):
    from conftest import assert_access

    assert_access(role_clients, path.format(pk=referral.pk), allowed, method="post", ok=302)


def test_agency_admin_page_saves_an_agency(role_clients):
    admin = role_clients["Administrator"]
    bad = admin.post(
        "/collections/recovery/agencies/new", {"name": "Big Fee LLC", "fee_pct": "0.9", "active": "on"}
    )
    assert "between 0 and 0.5" in bad.content.decode() and not CollectionAgency.objects.exists()
    admin.post(
        "/collections/recovery/agencies/new", {"name": "Fair Collect", "fee_pct": "0.18", "active": "on"}
    )
    agency = CollectionAgency.objects.get()
    assert agency.fee_pct == Decimal("0.1800") and agency.active


def test_referrals_api_filters_by_status(role_clients, referral):
    api = role_clients["Supervisor"]
    body = api.get("/api/v1/agency-referrals?status=referred").json()
    assert [r["account"] for r in body["results"]] == ["0000550001"]
    assert body["results"][0]["fee_amount"] == "40.00"
    assert api.get("/api/v1/agency-referrals?status=paid").json()["results"] == []
    assert api.get("/api/v1/agency-referrals?status=bogus").status_code == 400


@pytest.mark.django_db(transaction=True)
def test_nightly_recovery_tasks_on_a_real_worker_twice(celery_worker):
    from collections_app.tasks.recovery import agency_referrals, referral_interest, small_balance_write_off

    CollectionAgency.objects.create(name="Desert Recovery Services")
    referred = final_billed(120, "300.00")
    small = final_billed(120, "2.40")
    night = TODAY.isoformat()

    first = agency_referrals.delay(business_date=night).get(timeout=60)
    assert first["referred"] == 1 and first["candidates"] == 1  # 2.40 is not above the write-off limit
    wrote = small_balance_write_off.delay(business_date=night).get(timeout=60)
    assert wrote["debit_accounts"] == 1 and wrote["debit_written_off"] == "2.40"
    month = add_months(TODAY, 1).isoformat()
    assert referral_interest.delay(business_date=month).get(timeout=60) == {
        "referrals_charged": 1,
        "interest": "5.40",  # 1.5% of 300 + 60 fee
    }
    snapshot = LedgerEntry.objects.count()
    assert agency_referrals.delay(business_date=night).get(timeout=60) == first
    assert small_balance_write_off.delay(business_date=night).get(timeout=60) == wrote
    assert referral_interest.delay(business_date=month).get(timeout=60)["referrals_charged"] == 0
    assert LedgerEntry.objects.count() == snapshot
    for a in (referred, small):
        a.refresh_from_db()
        assert a.balance == ledger_sum(a.pk)
    assert small.balance == 0 and referred.balance == Decimal("365.40")
