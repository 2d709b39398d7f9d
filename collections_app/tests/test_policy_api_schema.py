"""Issue 12 proof: the evaluate / decision responses are typed all the way down in OpenAPI (no
free-form object), and schemathesis over the evaluate, parameters and presets endpoints finds no
server error and no response that breaks its schema."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from common.tokens import token_issue

pytestmark = pytest.mark.django_db

TYPED_PATHS = [("/api/v1/policy/evaluate", "post"), ("/api/v1/accounts/{number}/decision", "get")]


def _free_form(node, schemas: dict, path: str, seen: set[str]) -> list[str]:  # type: ignore[no-untyped-def]
    """Every place under `node` where an object has no declared properties or allows any."""
    if isinstance(node, list):
        return [f for i, n in enumerate(node) for f in _free_form(n, schemas, f"{path}[{i}]", seen)]
    if not isinstance(node, dict):
        return []
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        return _free_form(schemas[name], schemas, name, seen | {name})
    found = []
    if node.get("type") == "object" or "properties" in node or "additionalProperties" in node:
        extra = node.get("additionalProperties")
        if not node.get("properties") or extra is True or (isinstance(extra, dict) and not extra):
            found.append(path)
    for key in ("properties",):
        for name, sub in (node.get(key) or {}).items():
            found += _free_form(sub, schemas, f"{path}.{name}", seen)
    for key in ("items", "additionalProperties", "allOf", "oneOf", "anyOf"):
        if key in node and node[key] is not True:
            found += _free_form(node[key], schemas, f"{path}.{key}", seen)
    return found


@pytest.fixture
def openapi(make_user) -> dict:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(make_user("schema-reader", "Collections officer"))
    return client.get("/api/schema/?format=json").json()


def test_the_walk_finds_a_free_form_object() -> None:
    # the check itself can fail: a DictField-shaped schema is reported
    assert _free_form({"type": "object", "additionalProperties": {}}, {}, "x", set()) == ["x"]
    assert _free_form({"properties": {"a": {"type": "object"}}}, {}, "x", set()) == ["x.a"]


@pytest.mark.parametrize(("path", "method"), TYPED_PATHS)
def test_evaluate_and_decision_responses_have_no_free_form_object(openapi, path, method) -> None:  # type: ignore[no-untyped-def]
    op = openapi["paths"][path][method]
    body = op["responses"]["200"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/EvaluationOut"}
    assert _free_form(body, openapi["components"]["schemas"], "EvaluationOut", set()) == []
    props = openapi["components"]["schemas"]["EvaluationOut"]["properties"]
    # every answer issue 12 lists is a field (README "policy engine and what-if" lists them)
    assert {
        "decision",
        "notice_plan",
        "delinquency",
        "late_fee",
        "arrangement",
        "medical_certificate",
        "pledge",
        "payment_acceptance",
        "nsf",
        "reconnection",
        "deposit",
        "interest_waiver",
        "bankruptcy",
        "collections",
        "write_off",
        "recertification",
        "discount",
    } <= props.keys()
    assert set(openapi["components"]["schemas"]["EvaluationOut"]["required"]) == set(props)  # stable shape


@pytest.fixture
def token(make_user) -> str:  # type: ignore[no-untyped-def]
    user = make_user("schemathesis", "Collections officer")
    _token, key = token_issue(user=user, name="schemathesis", actor=user)
    return key


@pytest.fixture
def api_schema(token):  # type: ignore[no-untyped-def]
    # The WSGI handler closes the database connection after each request; the test's transaction
    # lives on it, so keep it open as django.test.Client does.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_wsgi(
            "/api/schema/?format=json", get_wsgi_application(), headers={"Authorization": f"Token {token}"}
        )
        yield schema.include(path_regex=r"^/api/v1/policy/(evaluate|parameters|presets)$")
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_schemathesis_no_server_error_and_responses_match_the_schema(api_schema, token) -> None:  # type: ignore[no-untyped-def]
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {op.path for op in operations} == {
        "/api/v1/policy/evaluate",
        "/api/v1/policy/parameters",
        "/api/v1/policy/presets",
    }
    statuses: dict[str, set[int]] = {}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=60 if operation.method.upper() == "POST" else 5,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case) -> None:  # type: ignore[no-untyped-def]
            response = case.call_and_validate(
                headers={"Authorization": f"Token {token}"},
                checks=[not_a_server_error, response_schema_conformance],
            )
            statuses.setdefault(case.operation.path, set()).add(response.status_code)

        run()
    # the fuzzing reached real evaluations, not only 400s for bad input
    assert 200 in statuses["/api/v1/policy/evaluate"], statuses
    assert statuses["/api/v1/policy/parameters"] == statuses["/api/v1/policy/presets"] == {200}
