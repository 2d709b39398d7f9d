"""Facts a caller can get right (issue 12): a key the facts schema does not know is a 400 naming
its path, at the top level and inside every nested object, in the evaluate API and in the
what-if page's pasted facts. Before, such keys were silently dropped, so a typo ("due" for
"due_date", "returnd") gave a decision on facts other than the ones the caller meant."""

import json

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

BILL = {"bill_date": "2026-08-10", "due_date": "2026-08-31", "amount": "120.00"}


@pytest.fixture
def api(make_user):  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(make_user("officer", "Collections officer"))
    return client


def _evaluate(api, facts: dict, **body):  # type: ignore[no-untyped-def]
    return api.post(
        "/api/v1/policy/evaluate",
        {"preset": "DEFAULT", "as_of": "2026-12-08", "facts": facts, **body},
        format="json",
    )


def test_unknown_top_level_fact_is_a_400_naming_it(api) -> None:  # type: ignore[no-untyped-def]
    r = _evaluate(api, {"balance": "120.00", "bills": [BILL], "apeal_pending": True})
    assert r.status_code == 400, r.content
    assert r.json() == {"facts": {"apeal_pending": ["Unknown field."]}}


@pytest.mark.parametrize(
    ("key", "item", "path"),
    [
        ("bills", {**BILL, "colour": "red"}, ("bills", "0", "colour")),
        (
            "payments",
            {"paid_on": "2026-09-01", "amount": "10.00", "returnd": True},
            ("payments", "0", "returnd"),
        ),
        (
            "pledges",
            {"amount": "50.00", "pledged_on": "2026-12-01", "expected_by": "2026-12-31", "agency": "CAP"},
            ("pledges", "0", "agency"),
        ),
        ("notices", {"kind": "shutoff", "sent_on": "2026-11-02", "via": "mail"}, ("notices", "0", "via")),
        ("weather", {"on": "2026-12-08", "high": 100}, ("weather", "0", "high")),
    ],
)
def test_unknown_key_in_a_list_item_is_a_400_naming_its_path(api, key, item, path) -> None:  # type: ignore[no-untyped-def]
    facts = {"balance": "120.00", "bills": [BILL]}
    facts[key] = [*facts.get(key, []), item] if key != "bills" else [item]
    r = _evaluate(api, facts)
    assert r.status_code == 400, r.content
    errors = r.json()["facts"]
    for part in path:
        errors = errors[part]
    assert errors == ["Unknown field."]


def test_unknown_key_deep_inside_an_arrangement_and_a_bankruptcy(api) -> None:  # type: ignore[no-untyped-def]
    arrangement = {
        "created_on": "2026-10-01",
        "months": 2,
        "total": "120.00",
        "installments": [{"due_date": "2026-11-01", "amount": "60.00", "paidOn": "2026-11-01"}],
    }
    bankruptcy = {"chapter": 7, "petition_date": "2026-11-06", "trustee": "X"}
    r = _evaluate(api, {"bills": [BILL], "arrangements": [arrangement], "bankruptcy": bankruptcy})
    assert r.status_code == 400, r.content
    facts = r.json()["facts"]
    assert facts["arrangements"]["0"]["installments"]["0"] == {"paidOn": ["Unknown field."]}
    assert facts["bankruptcy"] == {"trustee": ["Unknown field."]}


def test_unknown_key_is_reported_beside_the_other_errors_of_the_same_object(api) -> None:  # type: ignore[no-untyped-def]
    r = _evaluate(api, {"bills": [{**BILL, "amount": "x", "colour": "red"}]})
    assert r.status_code == 400
    bill = r.json()["facts"]["bills"]["0"]
    assert set(bill) == {"amount", "colour"}


def test_unknown_key_of_the_request_itself_is_a_400(api) -> None:  # type: ignore[no-untyped-def]
    # "override" for "overrides": the caller's parameter change would silently not apply
    r = _evaluate(api, {"bills": [BILL]}, override={"late_fee.pct": "0.05"})
    assert r.status_code == 400
    assert r.json() == {"override": ["Unknown field."]}


def test_known_facts_still_evaluate(api) -> None:  # type: ignore[no-untyped-def]
    r = _evaluate(api, {"balance": "120.00", "bills": [BILL]})
    assert r.status_code == 200, r.content


def test_openapi_says_the_facts_objects_take_no_other_keys(api) -> None:  # type: ignore[no-untyped-def]
    schemas = api.get("/api/schema/?format=json").json()["components"]["schemas"]
    for name in (
        "AccountFactsIn",
        "FactBillIn",
        "FactPaymentIn",
        "FactPledgeIn",
        "FactInstallmentIn",
        "EvaluateIn",
    ):
        assert schemas[name]["additionalProperties"] is False, name


def test_whatif_page_names_an_unknown_pasted_fact(role_clients) -> None:  # type: ignore[no-untyped-def]
    facts = json.dumps({"balance": "120.00", "bills": [{**BILL, "colour": "red"}], "apeal_pending": True})
    r = role_clients["Counselor"].post("/collections/what-if/", {"as_of": "2026-12-08", "facts_json": facts})
    html = r.content.decode()
    assert "bills[0].colour: Unknown field." in html
    assert "apeal_pending: Unknown field." in html
    assert "data-status=" not in html  # no decision on facts other than the ones pasted


def test_facts_the_whatif_page_shows_can_be_pasted_back() -> None:
    # The page shows the account's facts as JSON (to_jsonable of the engine's dataclasses); now
    # that unknown keys are refused, every dataclass field must be a field of its serializer.
    from dataclasses import fields

    from collections_app.api import facts_schema as s
    from policy_engine import facts as f

    pairs = {
        f.AccountFacts: s.AccountFactsIn,
        f.BillFact: s.FactBillIn,
        f.PaymentFact: s.FactPaymentIn,
        f.NoticeFact: s.FactNoticeIn,
        f.ContactAttemptFact: s.FactContactAttemptIn,
        f.MedicalCertificateFact: s.FactMedicalCertificateIn,
        f.PledgeFact: s.FactPledgeIn,
        f.InstallmentFact: s.FactInstallmentIn,
        f.ArrangementFact: s.FactArrangementIn,
        f.BankruptcyFact: s.FactBankruptcyIn,
        f.WeatherFact: s.FactWeatherIn,
        f.DepositFact: s.FactDepositIn,
    }
    for fact, serializer in pairs.items():
        assert {x.name for x in fields(fact)} - {"extra"} == set(serializer().fields), fact.__name__


def test_whatif_facts_json_of_a_real_account_pasted_back_gives_the_same_decision(role_clients) -> None:  # type: ignore[no-untyped-def]
    import html as html_lib
    import re
    from datetime import date

    from accounts.tests.factories import AccountFactory, charge

    account = AccountFactory()
    charge(account, "180.00", due=date(2026, 9, 15))
    client = role_clients["Collections officer"]
    page = client.post("/collections/what-if/", {"account_number": account.number, "as_of": "2026-12-08"})
    shown = re.search(r'data-testid="facts-json">(.*?)</pre>', page.content.decode(), re.S)
    assert shown is not None
    again = client.post(
        "/collections/what-if/", {"as_of": "2026-12-08", "facts_json": html_lib.unescape(shown[1])}
    )
    html = again.content.decode()
    assert "Unknown field" not in html
    status = re.search(r'data-status="(\w+)"', page.content.decode())
    assert status is not None and f'data-status="{status[1]}"' in html
