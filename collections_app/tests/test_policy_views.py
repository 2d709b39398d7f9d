"""Policy screens: what-if, the account decision, versions, holidays, weather, protections."""

from datetime import date

import pytest

from accounts.tests.factories import AccountFactory, charge
from collections_app.models import Appeal, ContactAttempt, MedicalCertificate
from common.models import AuditEvent
from conftest import assert_access
from policy.models import Holiday, PolicyVersion, WeatherDay

pytestmark = pytest.mark.django_db


@pytest.fixture
def account():  # type: ignore[no-untyped-def]
    account = AccountFactory()
    charge(account, "180.00", due=date(2026, 9, 15))
    return account


def test_every_policy_screen_checks_its_permission(role_clients, account) -> None:  # type: ignore[no-untyped-def]
    desk = {"Counselor", "Collections officer", "Supervisor"}
    assert_access(role_clients, "/collections/what-if/", desk)
    assert_access(role_clients, f"/collections/accounts/{account.number}/decision/", desk)
    assert_access(role_clients, "/collections/policy/", desk | {"Administrator"})
    assert_access(role_clients, "/collections/policy/new/", {"Supervisor", "Administrator"})
    assert_access(role_clients, "/collections/policy/weather/add/", {"Collections officer", "Supervisor"})
    assert_access(role_clients, f"/collections/accounts/{account.number}/medical/", desk)
    assert_access(role_clients, f"/collections/accounts/{account.number}/appeal/", desk)
    assert_access(
        role_clients,
        f"/collections/accounts/{account.number}/contact-attempt/",
        {"Collections officer", "Supervisor"},
    )
    assert_access(role_clients, "/collections/policy/holidays/add/", {"Administrator"}, method="post", ok=302)


def test_whatif_from_an_account_shows_the_decision_and_a_scenario(role_clients, account) -> None:  # type: ignore[no-untyped-def]
    client = role_clients["Collections officer"]
    r = client.post(
        "/collections/what-if/",
        {
            "account_number": account.number,
            "as_of": "2026-12-08",
            "pledge_amount": "100.00",
            "pledge_expected_by": "2026-12-30",
        },
    )
    html = r.content.decode()
    assert r.status_code == 200
    assert "If an agency pledges $100.00 expected by Dec 30" in html
    assert 'data-status="blocked"' in html  # the pledge holds it
    assert "As things stand" in html and 'data-testid="facts-json"' in html


def test_whatif_says_whether_an_arrangement_is_available_and_why_not(role_clients, account) -> None:  # type: ignore[no-untyped-def]
    client = role_clients["Counselor"]
    html = client.post("/collections/what-if/", {"account_number": account.number, "as_of": "2026-12-08"})
    html = html.content.decode()
    assert "<strong>available</strong>: up to 12 months" in html and "not available" not in html
    assert "Late fee</dt>" in html and "Reconnection fee, after hours</dt>" in html
    phoenix = client.post(
        "/collections/what-if/",
        {
            "account_number": account.number,
            "as_of": "2026-12-08",
            "presets": ["AZ_PHOENIX_WATER"],
            "facts_json": '{"final_billed_on": "2026-11-30", "bills": [{"bill_date": "2026-08-25", '
            '"due_date": "2026-09-15", "amount": "180.00"}]}',
        },
    ).content.decode()
    assert "<strong>not available</strong>" in phoenix and "Final bill issued" in phoenix


def test_whatif_bad_input_gets_clear_messages(role_clients) -> None:  # type: ignore[no-untyped-def]
    client = role_clients["Counselor"]
    html = client.post("/collections/what-if/", {"as_of": "2026-12-08"}).content.decode()
    assert "Enter an account number or paste the facts." in html
    html = client.post(
        "/collections/what-if/", {"as_of": "2026-12-08", "account_number": "NOPE"}
    ).content.decode()
    assert "No account with that number." in html
    html = client.post(
        "/collections/what-if/", {"as_of": "2026-12-08", "facts_json": "{oops"}
    ).content.decode()
    assert "Not valid JSON" in html
    bad = '{"bills": [{"bill_date": "2026-01-01", "due_date": "2026-01-21", "amount": "abc"}]}'
    html = client.post("/collections/what-if/", {"as_of": "2026-12-08", "facts_json": bad}).content.decode()
    assert "bills.amount" in html or "bills[0].amount" in html
    html = client.post(
        "/collections/what-if/", {"as_of": "2026-12-08", "account_number": "X", "pay_amount": "10"}
    ).content.decode()
    assert "Give both the payment and its date, or neither." in html


def test_whatif_with_pasted_facts_and_presets(role_clients) -> None:  # type: ignore[no-untyped-def]
    facts = (
        '{"balance": "240.00", "bills": [{"bill_date": "2026-08-10", "due_date": "2026-08-31",'
        ' "amount": "240.00"}],'
        ' "notices": [{"kind": "shutoff", "sent_on": "2026-11-02"}], "appeal_pending": true}'
    )
    r = role_clients["Supervisor"].post(
        "/collections/what-if/", {"as_of": "2026-12-08", "facts_json": facts, "presets": ["CA_SB998_WATER"]}
    )
    html = r.content.decode()
    assert 'data-status="blocked"' in html
    assert "CA_SB998_WATER" in html


def test_account_decision_page_explains_and_lists_protections(role_clients, account) -> None:  # type: ignore[no-untyped-def]
    client = role_clients["Collections officer"]
    r = client.post(
        f"/collections/accounts/{account.number}/appeal/",
        {"opened_on": "2026-11-20", "subject": "Meter misread"},
    )
    assert r.status_code == 302
    html = client.get(f"/collections/accounts/{account.number}/decision/?as_of=2026-12-08").content.decode()
    assert 'data-status="blocked"' in html
    assert "Meter misread" in html and "pending" in html
    assert "Not applicable" in html and "not_applicable" not in html  # outcomes read as words
    appeal = Appeal.objects.get()
    client.post(f"/collections/appeals/{appeal.pk}/resolve/", {"outcome": "Reading confirmed"})
    appeal.refresh_from_db()
    assert appeal.resolved_on is not None and appeal.outcome == "Reading confirmed"
    assert (
        AuditEvent.objects.filter(verb__in=["appeal.open", "appeal.resolve"], account_id=account.pk).count()
        == 2
    )


def test_medical_certificate_and_contact_attempt_forms(role_clients, account) -> None:  # type: ignore[no-untyped-def]
    client = role_clients["Collections officer"]
    r = client.post(
        f"/collections/accounts/{account.number}/medical/",
        {"received_on": "2026-12-01", "certifier": "Dr. Ames", "valid_until": "2026-11-01"},
    )
    assert "cannot end before it was received" in r.content.decode()
    assert MedicalCertificate.objects.count() == 0
    r = client.post(
        f"/collections/accounts/{account.number}/medical/",
        {
            "received_on": "2026-12-01",
            "certifier": "Dr. Ames",
            "willing_to_plan": "on",
            "financially_unable": "on",
        },
    )
    assert r.status_code == 302 and MedicalCertificate.objects.get().certifier == "Dr. Ames"
    r = client.post(
        f"/collections/accounts/{account.number}/contact-attempt/",
        {"at": "2026-12-02T10:30", "method": "phone", "reached": "on"},
    )
    assert r.status_code == 302 and ContactAttempt.objects.get().reached


def test_new_policy_version_is_validated_and_audited(role_clients) -> None:  # type: ignore[no-untyped-def]
    client = role_clients["Administrator"]
    r = client.post(
        "/collections/policy/new/",
        {"name": "City policy", "presets": ["DEFAULT"], "overrides": '{"late_fee.nope": 1}', "note": "typo"},
    )
    assert "late_fee.nope" in r.content.decode()
    assert PolicyVersion.objects.count() == 1
    r = client.post(
        "/collections/policy/new/",
        {
            "name": "City policy",
            "presets": ["AZ_MESA", "CA_SB998_WATER"],
            "overrides": '{"blackout.fridays": true}',
            "note": "Council resolution 2026-41",
        },
    )
    assert r.status_code == 302
    version = PolicyVersion.objects.order_by("-version").first()
    assert (version.version, version.presets) == (2, ["AZ_MESA", "CA_SB998_WATER"])
    assert AuditEvent.objects.filter(verb="policy.version").count() == 1
    html = client.get("/collections/policy/").content.decode()
    assert "City policy v2" in html and "blackout.fridays" in html


def test_holidays_and_weather(role_clients) -> None:  # type: ignore[no-untyped-def]
    admin = role_clients["Administrator"]
    assert Holiday.objects.filter(date=date(2026, 11, 26)).exists()  # installed federal calendar
    admin.post("/collections/policy/holidays/add/", {"on": "2026-07-24", "name": "Pioneer Day"})
    pioneer = Holiday.objects.get(date=date(2026, 7, 24))
    admin.post("/collections/policy/holidays/add/", {"on": "2026-07-24", "name": "Again"})
    assert Holiday.objects.filter(date=date(2026, 7, 24)).count() == 1
    admin.post(f"/collections/policy/holidays/{pioneer.pk}/remove/")
    assert not Holiday.objects.filter(date=date(2026, 7, 24)).exists()
    officer = role_clients["Collections officer"]
    r = officer.post("/collections/policy/weather/add/", {"on": "2026-12-09", "high_f": "20", "low_f": "30"})
    assert "The low cannot be above the high." in r.content.decode()
    officer.post("/collections/policy/weather/add/", {"on": "2026-12-09", "high_f": "28", "low_f": "12"})
    assert WeatherDay.objects.get().high_f == 28


def test_collections_home_summarises_the_day(role_clients, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    from collections_app.models import BatchRun, RunKind, RunStatus

    BatchRun.objects.create(
        kind=RunKind.SHUTOFF,
        business_date=date(2026, 11, 20),
        status=RunStatus.FINISHED,
        counts={"by_status": {"listed": 7, "held": 3, "deferred": 11}},
    )
    with django_assert_max_num_queries(14):
        html = role_clients["Collections officer"].get("/collections/").content.decode()
    assert "7 listed, 3 held, 11 not yet" in html
    assert "0 open, 0 with crews" in html
