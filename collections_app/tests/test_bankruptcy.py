"""Bankruptcy (11 U.S.C. 366): the frozen pre-petition balance, the assurance deadline rolled
past weekends and holidays, assurance, discharge (write-off) and dismissal, page and API."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import EntryKind, LedgerEntry
from accounts.services.ledger import ledger_sum
from accounts.tests.factories import AccountFactory, charge, pay
from collections_app.models import BankruptcyStatus, WriteOff, WriteOffKind
from collections_app.services.bankruptcy import (
    assurance_record,
    bankruptcy_discharge,
    bankruptcy_dismiss,
    bankruptcy_record,
)
from common.exceptions import DomainError
from common.models import AuditEvent

pytestmark = pytest.mark.django_db
PETITION = date(2026, 10, 15)


@pytest.fixture
def officer(make_user):
    return make_user("olga", "Collections officer")


@pytest.fixture
def account():
    account = AccountFactory(number="0000330001")
    charge(account, "120.00", due=date(2026, 9, 20), billed=date(2026, 9, 1))
    charge(account, "80.00", due=date(2026, 10, 20), billed=date(2026, 10, 1))  # billed before, due after
    pay(account, "50.00", on=date(2026, 10, 5))
    charge(account, "90.00", due=date(2026, 11, 20), billed=date(2026, 11, 1))  # post-petition service
    return account


def record(account, officer, **kw):  # type: ignore[no-untyped-def]
    args = {
        "chapter": 7,
        "case_number": "26-bk-10441",
        "court": "U.S. Bankruptcy Court, D. Ariz.",
        "petition_date": PETITION,
        "order_for_relief_date": None,
        **kw,
    }
    return bankruptcy_record(account_id=account.pk, actor=officer, **args)


def test_recording_freezes_the_balance_owed_when_the_petition_was_filed(account, officer):
    case = record(account, officer)
    # entries effective before Oct 15: 120 + 80 - 50; the November bill is post-petition
    assert case.pre_petition_balance == Decimal("150.00")
    # a voluntary case: the order for relief is the petition; Oct 15 + 20 = Wed Nov 4
    assert case.assurance_deadline == date(2026, 11, 4)
    assert "366" in case.deadline_reason
    assert AuditEvent.objects.filter(verb="bankruptcy.record", account_id=account.pk).exists()
    with pytest.raises(DomainError, match="already has an open case"):
        record(account, officer, case_number="26-bk-2")


@pytest.mark.parametrize(
    ("chapter", "petition", "relief", "deadline"),
    [
        # order for relief Sun Mar 8: +20 is Saturday Mar 28 -> Monday Mar 30 (FRBP 9006(a))
        (7, date(2026, 3, 8), date(2026, 3, 8), date(2026, 3, 30)),
        # involuntary case: the clock runs from the order for relief, Nov 6 + 20 = Thanksgiving -> Fri Nov 27
        (7, date(2026, 10, 20), date(2026, 11, 6), date(2026, 11, 27)),
        # an ordinary weekday stays put: Wed Apr 1 + 20 = Tue Apr 21
        (13, date(2026, 4, 1), None, date(2026, 4, 21)),
        # chapter 11: the 30-day period beginning on the petition date (366(c)(2)) ends Tue Jun 30
        (11, date(2026, 6, 1), date(2026, 6, 1), date(2026, 6, 30)),
        # chapter 11 whose 30th day is Sat Nov 14 -> Mon Nov 16
        (11, date(2026, 10, 16), None, date(2026, 11, 16)),
    ],
)
def test_assurance_deadline_rolls_past_weekends_and_holidays(officer, chapter, petition, relief, deadline):
    account = AccountFactory()
    case = record(account, officer, chapter=chapter, petition_date=petition, order_for_relief_date=relief)
    assert case.assurance_deadline == deadline


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"chapter": 9}, "chapter 7, 11, 12 or 13"),
        ({"case_number": " "}, "case number"),
        ({"petition_date": date(2027, 1, 4)}, "future"),
        ({"order_for_relief_date": date(2026, 10, 1)}, "before the petition"),
    ],
)
def test_bad_cases_are_explained_and_nothing_is_saved(account, officer, kw, message):
    with pytest.raises(DomainError, match=message):
        record(account, officer, **kw)
    assert not account.bankruptcies.exists()


def test_assurance_is_recorded_with_its_form(account, officer):
    case = record(account, officer)
    with pytest.raises(DomainError, match="between the petition date and today"):
        assurance_record(
            case_id=case.pk,
            amount=Decimal("150"),
            received_on=date(2026, 10, 1),
            form="cash_deposit",
            actor=officer,
        )
    case = assurance_record(
        case_id=case.pk,
        amount=Decimal("150"),
        received_on=date(2026, 10, 30),
        form="cash_deposit",
        actor=officer,
    )
    assert (case.assurance_amount, case.assurance_received_on) == (Decimal("150.00"), date(2026, 10, 30))


def test_discharge_writes_off_the_pre_petition_balance_and_closes_the_case(account, officer):
    case = record(account, officer)
    discharged = bankruptcy_discharge(case_id=case.pk, on=date(2026, 11, 20), actor=officer)
    assert discharged.status == BankruptcyStatus.DISCHARGED and discharged.closed_on == date(2026, 11, 20)
    write_off = discharged.write_off
    assert (write_off.kind, write_off.status, write_off.amount) == (
        WriteOffKind.BANKRUPTCY,
        "posted",
        Decimal("150.00"),
    )
    assert LedgerEntry.objects.filter(account=account, kind=EntryKind.WRITE_OFF).values_list(
        "amount", flat=True
    ).get() == Decimal("-150.00")  # all water: the oldest open items are the pre-petition charges
    account.refresh_from_db()
    assert account.balance == Decimal("90.00") == ledger_sum(account.pk)  # post-petition service stays owed
    assert AuditEvent.objects.filter(verb="bankruptcy.discharge").exists()
    with pytest.raises(DomainError, match="discharged"):
        bankruptcy_dismiss(case_id=case.pk, on=date(2026, 11, 20), note="", actor=officer)


def test_discharge_writes_off_only_what_is_still_owed(account, officer):
    case = record(account, officer)
    pay(account, "200.00", on=date(2026, 11, 10))  # balance now 40: less than the frozen 150
    discharged = bankruptcy_discharge(case_id=case.pk, on=date(2026, 11, 20), actor=officer)
    assert discharged.write_off.amount == Decimal("40.00")
    account.refresh_from_db()
    assert account.balance == 0 == ledger_sum(account.pk)


def test_dismissal_returns_the_debt_to_normal_collection(account, officer):
    case = record(account, officer)
    dismissed = bankruptcy_dismiss(
        case_id=case.pk, on=date(2026, 11, 2), note="Failure to file schedules", actor=officer
    )
    assert (
        dismissed.status == BankruptcyStatus.DISMISSED and dismissed.close_note == "Failure to file schedules"
    )
    assert not WriteOff.objects.exists()
    account.refresh_from_db()
    assert account.balance == Decimal("240.00")
    # a new case may be recorded after the dismissal
    assert record(account, officer, case_number="26-bk-20000").status == BankruptcyStatus.OPEN


def test_account_page_flags_the_frozen_balance_and_the_deadline(account, officer, client):
    record(account, officer)
    client.force_login(officer)
    page = client.get("/accounts/0000330001/").content.decode()
    assert "Bankruptcy ch. 7 — no collection on $150.00 pre-petition; assurance due Nov 04, 2026" in page


def test_bankruptcy_form_records_a_case(account, role_clients):
    response = role_clients["Collections officer"].post(
        "/collections/accounts/0000330001/bankruptcy/",
        {"chapter": "13", "case_number": "26-bk-555", "court": "D. Ariz.", "petition_date": "2026-10-15"},
        follow=True,
    )
    assert "assurance due Nov 04, 2026" in response.content.decode()
    bad = role_clients["Collections officer"].post(
        "/collections/accounts/0000330001/bankruptcy/",
        {"chapter": "13", "case_number": "", "petition_date": "soon"},
    )
    assert bad.status_code == 302  # an open case exists now: the form sends the officer to it


def test_bankruptcy_api_records_and_lists(account, role_clients):
    api = role_clients["Collections officer"]
    created = api.post(
        "/api/v1/accounts/0000330001/bankruptcy",
        {"chapter": 11, "case_number": "26-11-9", "petition_date": "2026-10-15"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["pre_petition_balance"] == "150.00" and body["assurance_deadline"] == "2026-11-13"
    again = api.post(
        "/api/v1/accounts/0000330001/bankruptcy",
        {"chapter": 7, "case_number": "x", "petition_date": "2026-10-15"},
        content_type="application/json",
    )
    assert again.status_code == 400 and again.json()["code"] == "bankruptcy.open"
    listed = api.get("/api/v1/accounts/0000330001/bankruptcy").json()
    assert [c["case_number"] for c in listed] == ["26-11-9"]
    assert (
        api.post(
            "/api/v1/accounts/0000330001/bankruptcy", {"chapter": 9}, content_type="application/json"
        ).status_code
        == 400
    )
    assert role_clients["Cashier"].get("/api/v1/accounts/0000330001/bankruptcy").status_code == 403
    assert role_clients["Supervisor"].get("/api/v1/accounts/0000330001/bankruptcy").status_code == 200


@pytest.mark.parametrize(
    ("path", "allowed", "method", "ok"),
    [
        ("/collections/recovery/bankruptcies/", {"Collections officer", "Supervisor"}, "get", 200),
        ("/collections/accounts/0000330001/bankruptcy/", {"Collections officer", "Supervisor"}, "get", 302),
        ("/collections/recovery/bankruptcies/{pk}/", {"Collections officer", "Supervisor"}, "get", 200),
        (
            "/collections/recovery/bankruptcies/{pk}/assurance",
            {"Collections officer", "Supervisor"},
            "post",
            302,
        ),
        (
            "/collections/recovery/bankruptcies/{pk}/discharge",
            {"Collections officer", "Supervisor"},
            "post",
            302,
        ),
        (
            "/collections/recovery/bankruptcies/{pk}/dismiss",
            {"Collections officer", "Supervisor"},
            "post",
            302,
        ),
    ],
)
def test_bankruptcy_pages_by_role(role_clients, account, officer, path, allowed, method, ok):
    from conftest import assert_access

    case = record(account, officer)
    assert_access(role_clients, path.format(pk=case.pk), allowed, method=method, ok=ok)


def test_new_case_form_is_open_to_the_desk(role_clients):
    from conftest import assert_access

    AccountFactory(number="0000330002")
    assert_access(
        role_clients, "/collections/accounts/0000330002/bankruptcy/", {"Collections officer", "Supervisor"}
    )
    assert_access(
        role_clients,
        "/api/v1/accounts/0000330002/bankruptcy",
        {"Collections officer", "Supervisor"},
        method="post",
        ok=400,
    )
    assert_access(
        role_clients, "/api/v1/accounts/0000330002/bankruptcy", {"Collections officer", "Supervisor"}
    )


def test_a_held_deposit_is_offered_and_set_off_against_the_pre_petition_bill(account, officer, role_clients):
    from collections_app.models import SecurityDeposit

    deposit = SecurityDeposit.objects.create(
        account=account,
        required_amount=Decimal("100.00"),
        held_amount=Decimal("100.00"),
        status="held",
        held_since=date(2025, 1, 2),
        idempotency_key="dep-bk",
    )
    case = record(account, officer)
    client = role_clients["Collections officer"]
    page = client.get(f"/collections/recovery/bankruptcies/{case.pk}/").content.decode()
    assert "$100.00 of it may be set off against the pre-petition bill" in page

    page = client.post(f"/collections/recovery/bankruptcies/{case.pk}/setoff", follow=True).content.decode()
    assert "Security deposit set off: $100.00" in page
    case.refresh_from_db()
    deposit.refresh_from_db()
    assert (
        case.deposit_setoff == Decimal("100.00") and deposit.status == "applied" and deposit.held_amount == 0
    )
    applied = LedgerEntry.objects.filter(account=account, kind=EntryKind.DEPOSIT_APPLIED)
    assert sum(e.amount for e in applied) == Decimal("-100.00")
    account.refresh_from_db()
    assert account.balance == Decimal("140.00") == ledger_sum(account.pk)
    # what is still frozen shrinks by the set-off; discharge writes off only that
    discharged = bankruptcy_discharge(case_id=case.pk, on=date(2026, 11, 20), actor=officer)
    assert discharged.write_off.amount == Decimal("50.00")
    account.refresh_from_db()
    assert account.balance == Decimal("90.00") == ledger_sum(account.pk)
