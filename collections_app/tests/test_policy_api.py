"""The what-if API and the account decision endpoint: the engine over posted facts or a real
account, with the OpenAPI facts schema and per-field errors for bad input."""

from datetime import date

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import AccountFactory, charge
from collections_app.models import Notice

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 12, 8)  # a Tuesday


def _facts(**extra) -> dict:  # type: ignore[no-untyped-def]
    base = {
        "account_number": "W-1",
        "balance": "240.00",
        "bills": [
            {"bill_date": "2026-08-10", "due_date": "2026-08-31", "amount": "120.00"},
            {"bill_date": "2026-09-10", "due_date": "2026-09-30", "amount": "120.00"},
        ],
        "notices": [{"kind": "shutoff", "sent_on": "2026-11-02", "method": "mail"}],
    }
    base.update(extra)
    return base


@pytest.fixture
def api(make_user):  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(make_user("officer", "Collections officer"))
    return client


def _evaluate(api, **body):  # type: ignore[no-untyped-def]
    return api.post("/api/v1/policy/evaluate", body, format="json")


def test_evaluate_long_delinquent_noticed_account_may_be_disconnected(api) -> None:  # type: ignore[no-untyped-def]
    r = _evaluate(api, preset="DEFAULT", as_of="2026-12-08", facts=_facts())
    assert r.status_code == 200, r.content
    decision = r.json()["decision"]
    assert decision["status"] == "eligible"
    assert decision["eligible"] is True
    assert decision["earliest_date"] <= "2026-12-08"
    assert decision["past_due"] == "240.00"
    assert decision["days_delinquent"] == (AS_OF - date(2026, 8, 31)).days
    protections_and_gates = [
        c for c in decision["checks"] if c["step"] >= 2 and c["outcome"] != "not_applicable"
    ]
    assert protections_and_gates and all(c["citation"] for c in protections_and_gates)
    assert r.json()["policy"]["presets"][0] == "DEFAULT"


def test_evaluate_pending_pledge_holds_with_reason_and_citation(api) -> None:  # type: ignore[no-untyped-def]
    pledge = {"amount": "150.00", "pledged_on": "2026-12-01", "expected_by": "2026-12-31"}
    r = _evaluate(api, preset="DEFAULT", as_of="2026-12-08", facts=_facts(pledges=[pledge]))
    decision = r.json()["decision"]
    assert decision["status"] == "blocked"
    assert decision["deciding"]["outcome"] == "blocked"
    assert "pledge" in decision["deciding"]["reason"].lower()
    assert decision["deciding"]["citation"]


def test_evaluate_returns_computed_amounts(api) -> None:  # type: ignore[no-untyped-def]
    r = _evaluate(api, preset="AZ_MESA", as_of="2026-12-08", facts=_facts())
    body = r.json()
    # Mesa: late fee max(2% of past due, $5) = max(4.80, 5.00); notice fee $3; trip $21 (rules.md §1.2, §1.3)
    assert body["late_fee"]["amount"] == "5.00"
    assert body["notice_fee"]["amount"] == "3.00"
    assert body["trip_fee"]["amount"] == "21.00"
    assert body["reconnection"]["normal"]["code"] == "RECONNECT_FEE"
    assert body["deposit"]["required"]["code"] == "DEPOSIT"
    assert {"options", "terms", "status"} <= body["arrangement"].keys()
    assert {"small_balance", "uncollectible_eligible"} <= body["write_off"].keys()


def test_evaluate_bankruptcy_reports_assurance_deadline(api) -> None:  # type: ignore[no-untyped-def]
    # petition Fri 2026-11-06 + 20 days = Thu Nov 26 (Thanksgiving) -> Fri Nov 27
    bk = {"chapter": 7, "petition_date": "2026-11-06", "pre_petition_balance": "240.00"}
    r = _evaluate(api, preset="DEFAULT", as_of="2026-11-20", facts=_facts(bankruptcy=bk))
    body = r.json()
    assert body["bankruptcy"]["assurance_deadline"] == "2026-11-27"
    assert body["bankruptcy"]["status"] == "pre_petition_only"
    assert body["bankruptcy"]["pre_petition_balance"] == "240.00"
    # the whole past-due balance is pre-petition debt: never a ground for disconnection (366(a))
    assert body["decision"]["status"] != "eligible"


def test_evaluate_combines_presets_most_protectively(api) -> None:  # type: ignore[no-untyped-def]
    facts = _facts(bills=[{"bill_date": "2026-10-01", "due_date": "2026-10-21", "amount": "240.00"}])
    alone = _evaluate(api, preset="AZ_PHOENIX_WATER", as_of="2026-12-08", facts=facts).json()["decision"]
    both = _evaluate(
        api, presets=["AZ_PHOENIX_WATER", "CA_SB998_WATER"], as_of="2026-12-08", facts=facts
    ).json()["decision"]
    # 48 days past due: Phoenix (31 days) allows it, SB 998 (60 days) does not -> the combination waits
    assert alone["status"] == "eligible"
    assert both["status"] == "deferred"
    assert both["earliest_date"] >= "2026-12-20"


def test_evaluate_bad_facts_answer_per_field_and_save_nothing(api) -> None:  # type: ignore[no-untyped-def]
    bad = _facts(bills=[{"bill_date": "2026-08-10", "due_date": "not a date", "amount": "x"}])
    r = _evaluate(api, preset="DEFAULT", facts=bad)
    assert r.status_code == 400
    errors = r.json()["facts"]["bills"]["0"]  # DRF keys list errors by index
    assert "due_date" in errors and "amount" in errors
    assert Notice.objects.count() == 0


def test_evaluate_unknown_preset_and_override_are_rejected(api) -> None:  # type: ignore[no-untyped-def]
    r = _evaluate(api, preset="MARS_WATER", facts=_facts())
    assert r.status_code == 400 and "MARS_WATER" in r.json()["preset"][0]
    r = _evaluate(api, preset="DEFAULT", overrides={"late_fee.no_such": 1}, facts=_facts())
    assert r.status_code == 400 and "late_fee.no_such" in r.json()["overrides"][0]  # the field at fault


def test_evaluate_without_preset_uses_current_policy(api) -> None:  # type: ignore[no-untyped-def]
    r = _evaluate(api, as_of="2026-12-08", facts=_facts())
    assert r.json()["policy"]["version"] == 1


def test_presets_endpoint_lists_the_shipped_presets(api) -> None:  # type: ignore[no-untyped-def]
    names = {p["name"] for p in api.get("/api/v1/policy/presets").json()}
    assert {
        "DEFAULT",
        "CA_SB998_WATER",
        "CA_CPUC_ENERGY",
        "AZ_PHOENIX_WATER",
        "AZ_MESA",
        "UT_ST_GEORGE",
        "NY_HEFPA",
        "PA_CH14",
        "TX_PUC_ELECTRIC",
        "TX_PUC_WATER",
        "FED_BANKRUPTCY",
    } <= names


def test_account_decision_for_a_real_account(api) -> None:  # type: ignore[no-untyped-def]
    account = AccountFactory()
    charge(account, "180.00", due=date(2026, 9, 15))
    r = api.get(f"/api/v1/accounts/{account.number}/decision?as_of=2026-12-08")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["decision"]["past_due"] == "180.00"
    # no shutoff notice was ever sent: the engine must not allow a disconnection
    assert body["decision"]["status"] != "eligible"
    assert api.get("/api/v1/accounts/NOPE/decision").status_code == 404
    assert api.get(f"/api/v1/accounts/{account.number}/decision?as_of=12/08/2026").status_code == 400


def test_api_roles(role_clients) -> None:  # type: ignore[no-untyped-def]
    from conftest import assert_access

    account = AccountFactory()
    allowed = {"Counselor", "Collections officer", "Supervisor"}
    assert_access(role_clients, "/api/v1/policy/presets", allowed)
    assert_access(role_clients, f"/api/v1/accounts/{account.number}/decision", allowed)
    anonymous = APIClient().post("/api/v1/policy/evaluate", {"facts": {}}, format="json")
    assert anonymous.status_code in (401, 403)


def test_openapi_documents_the_facts_schema(api) -> None:  # type: ignore[no-untyped-def]
    schema = api.get("/api/schema/?format=json").json()
    facts = schema["components"]["schemas"]["AccountFactsIn"]["properties"]
    for name in (
        "bills",
        "payments",
        "notices",
        "contact_attempts",
        "medical_certificates",
        "pledges",
        "arrangements",
        "bankruptcy",
        "appeal_pending",
        "residential",
        "poverty_pct",
        "benefit_programs",
        "weather",
        "deposits",
    ):
        assert name in facts, name
    assert "/api/v1/policy/evaluate" in schema["paths"]
    assert "/api/v1/accounts/{number}/decision" in schema["paths"]


def test_evaluate_new_inputs_actual_cost_and_applicant_bills(api) -> None:  # type: ignore[no-untyped-def]
    # rules.md §1.8 (HSC 116914(a)(1)): a low-income household's after-hours fee is capped at
    # $150 and at the actual cost ($30); rules.md §3 deposit.formula DEFAULT: 2 x average of the
    # applicant's estimated bills (100, 120, 80) = $200.00.
    r = _evaluate(
        api,
        preset="CA_SB998_WATER",
        as_of="2026-12-08",
        facts=_facts(poverty_pct="150"),
        reconnect_actual_cost="30.00",
        estimated_monthly_bills=["100.00", "120.00", "80.00"],
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["reconnection"]["actual_cost"] == "30.00"
    assert body["reconnection"]["after_hours"]["amount"] == "30.00"
    assert body["deposit"]["basis"] == "estimated_bills"
    default = _evaluate(
        api, preset="DEFAULT", as_of="2026-12-08", facts={}, estimated_monthly_bills=["100", "120", "80"]
    ).json()
    assert default["deposit"]["required"]["amount"] == "200.00"


def test_evaluate_response_is_stable_shaped_and_unknown_input_is_named(api) -> None:  # type: ignore[no-untyped-def]
    empty = _evaluate(api, preset="DEFAULT", as_of="2026-12-08", facts={}).json()
    full = _evaluate(api, preset="DEFAULT", as_of="2026-12-08", facts=_facts()).json()
    assert empty.keys() == full.keys()
    assert empty["nsf"] is None and empty["bankruptcy"]["status"] == "none"
    assert empty["arrangement"]["terms"] is None and full["arrangement"]["terms"]["months"] == 12
    bad = _evaluate(api, preset="DEFAULT", facts={}, reconect_actual_cost="1")
    assert bad.status_code == 400 and bad.json()["reconect_actual_cost"] == ["Unknown field."]


def test_account_decision_has_the_same_typed_answers(api) -> None:  # type: ignore[no-untyped-def]
    account = AccountFactory()
    body = api.get(f"/api/v1/accounts/{account.number}/decision?as_of=2026-12-08").json()
    posted = _evaluate(api, as_of="2026-12-08", facts={}).json()
    assert body.keys() == posted.keys()
    assert body["payment_acceptance"]["certified_funds_only"] is False
