"""`GET /api/v1/policy/parameters` (issue 12): every parameter of the catalogue (rules.md §3)
with its type, default, allowed values, source and the value in force under the current policy
version with what produced it; and the evaluate API taking §3's names for overrides."""

from typing import Any

import jsonschema
import pytest
from rest_framework.test import APIClient

from conftest import assert_access
from policy.services import policy_version_create
from policy_engine.catalogue import SPECS

pytestmark = pytest.mark.django_db

URL = "/api/v1/policy/parameters"


@pytest.fixture
def api(make_user):  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(make_user("officer", "Collections officer"))
    return client


def _by_name(api) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    r = api.get(URL)
    assert r.status_code == 200, r.content
    return {row["name"]: row for row in r.json()["parameters"]}


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema: `nullable` becomes a null alternative, refs point to $defs."""
    if isinstance(node, list):
        return [_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _named(v) if k == "properties" else _json_schema(v) for k, v in node.items() if k != "nullable"}
    if "$ref" in out:
        out["$ref"] = out["$ref"].replace("#/components/schemas/", "#/$defs/")
    if node.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


def _named(schemas: dict) -> dict:
    """A name -> schema mapping (`properties`, components): a property may be called "nullable"."""
    return {name: _json_schema(schema) for name, schema in schemas.items()}


def assert_matches_openapi(api, path: str, method: str, body: Any) -> None:  # type: ignore[no-untyped-def]
    doc = api.get("/api/schema/?format=json").json()
    response = doc["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
    schema = {**_json_schema(response), "$defs": _named(doc["components"]["schemas"])}
    jsonschema.validate(body, schema)


def test_every_parameter_is_listed_once_under_its_canonical_name(api) -> None:  # type: ignore[no-untyped-def]
    rows = api.get(URL).json()["parameters"]
    assert [r["name"] for r in rows] == [s.path for s in SPECS]


def test_a_parameter_row_says_type_default_choices_alias_and_source(api) -> None:  # type: ignore[no-untyped-def]
    rows = _by_name(api)
    # rules.md §3: delinquency.clockStart: DUE_DATE  # alt BILL_DATE (Livingston CA 9-5-32)
    clock = rows["delinquency.clock_start"]
    assert clock["rules_md_name"] == "delinquency.clockStart"
    assert (clock["type"], clock["default"], clock["nullable"]) == ("str", "DUE_DATE", False)
    assert clock["allowed_values"] == ["DUE_DATE", "BILL_DATE"]
    assert "Livingston" in clock["source"] and clock["description"]
    # rules.md §3: lateFee.pct 0.02 (Mesa): a decimal, given as exact text
    assert (rows["late_fee.pct"]["type"], rows["late_fee.pct"]["default"]) == ("decimal", "0.02")
    assert rows["blackout.holidays"]["allowed_values"] == [True, False]
    assert rows["blackout.weekdays"]["allowed_values"][:2] == ["MON", "TUE"]
    assert rows["notices.pre_disconnect_lead"]["default"] == {"value": 7, "unit": "BUSINESS_DAYS"}
    assert rows["weather.mode"]["rules_md_name"] is None  # §3 writes it the same way
    assert rows["nsf.cash_only_months"]["rules_md_name"] == "nsf.cashOnly.restrictionMonths"


def test_values_in_force_under_version_1_come_from_default(api) -> None:  # type: ignore[no-untyped-def]
    body = api.get(URL).json()
    assert body["policy"]["version"] == 1 and body["policy"]["presets"] == ["DEFAULT"]
    in_force = {r["name"]: r["in_force"] for r in body["parameters"]}
    assert in_force["late_fee.floor"] == [
        {"preset": "DEFAULT", "value": "5.00", "set_by": "DEFAULT", "citation": "utility policy"}
    ]
    assert in_force["bankruptcy.assurance_days"][0]["set_by"] == "FED_BANKRUPTCY"
    assert in_force["bankruptcy.assurance_days"][0]["citation"] == "11 U.S.C. 366(b)"  # federal: everywhere


def test_values_in_force_name_the_preset_or_override_that_set_them(api, make_user) -> None:  # type: ignore[no-untyped-def]
    policy_version_create(
        name="Phoenix",
        presets=["AZ_PHOENIX_WATER", "CA_SB998_WATER"],
        overrides={"lateFee.floor": "7.50"},  # rules.md §3's name; stored canonically
        note="test",
        actor=make_user("sup", "Supervisor"),
    )
    body = api.get(URL).json()
    assert body["policy"]["version"] == 2
    rows = {r["name"]: r for r in body["parameters"]}
    phoenix, sb998 = rows["delinquency.min_days_before_disconnect"]["in_force"]
    assert (phoenix["preset"], phoenix["value"], phoenix["set_by"]) == (
        "AZ_PHOENIX_WATER",
        31,
        "AZ_PHOENIX_WATER",
    )
    assert "Phoenix" in phoenix["citation"]
    assert (sb998["value"], sb998["set_by"]) == (60, "CA_SB998_WATER")
    floor = rows["late_fee.floor"]["in_force"][0]
    assert (floor["value"], floor["set_by"]) == ("7.50", "override")
    assert "version 2" in floor["citation"]


def test_parameters_response_matches_its_openapi_schema(api) -> None:  # type: ignore[no-untyped-def]
    body = api.get(URL).json()
    assert_matches_openapi(api, URL, "get", body)
    with pytest.raises(jsonschema.ValidationError):  # the schema is precise enough to catch a slip
        assert_matches_openapi(api, URL, "get", {**body, "parameters": [{"name": "x"}]})


def test_parameters_roles(role_clients) -> None:  # type: ignore[no-untyped-def]
    assert_access(role_clients, URL, {"Counselor", "Collections officer", "Supervisor"})


def test_evaluate_accepts_section_3_names_for_overrides(api) -> None:  # type: ignore[no-untyped-def]
    facts = {
        "balance": "240.00",
        "bills": [{"bill_date": "2026-08-10", "due_date": "2026-08-31", "amount": "240.00"}],
    }
    body = {"preset": "AZ_MESA", "as_of": "2026-12-08", "facts": facts}
    base = api.post("/api/v1/policy/evaluate", body, format="json").json()
    assert base["late_fee"]["amount"] == "5.00"  # max(2% x 240, 5.00)
    r = api.post("/api/v1/policy/evaluate", {**body, "overrides": {"lateFee.floor": "9.00"}}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["late_fee"]["amount"] == "9.00"
    # no preset: the version's overrides plus the caller's, one name per parameter
    r = api.post(
        "/api/v1/policy/evaluate",
        {"as_of": "2026-12-08", "facts": facts, "overrides": {"delinquency.clockStart": "BILL_DATE"}},
        format="json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["delinquency"]["clock_start"] == "2026-08-10"  # the bill date, not the due date
    r = api.post(
        "/api/v1/policy/evaluate",
        {**body, "overrides": {"lateFee.floor": "9", "late_fee.floor": "8"}},
        format="json",
    )
    assert r.status_code == 400 and "given twice" in r.json()["overrides"][0]


def test_openapi_lists_the_parameters_endpoint(api) -> None:  # type: ignore[no-untyped-def]
    doc = api.get("/api/schema/?format=json").json()
    assert URL in doc["paths"]
    row = doc["components"]["schemas"]["ParameterOut"]
    assert {"name", "rules_md_name", "type", "default", "allowed_values", "source", "in_force"} <= set(
        row["properties"]
    )


def test_evaluate_response_matches_its_openapi_schema(api) -> None:  # type: ignore[no-untyped-def]
    facts = {
        "balance": "240.00",
        "bills": [{"bill_date": "2026-08-10", "due_date": "2026-08-31", "amount": "240.00"}],
    }
    r = api.post(
        "/api/v1/policy/evaluate", {"preset": "AZ_MESA", "as_of": "2026-12-08", "facts": facts}, format="json"
    )
    assert r.status_code == 200, r.content
    assert_matches_openapi(api, "/api/v1/policy/evaluate", "post", r.json())
