"""The OpenAPI schema declares every error an operation answers (400 for any input, 404 for a path
id, 409 where the view answers a conflict), and list parameters refuse nonsense with a 400 that
names the parameter instead of being silently ignored."""

import inspect

import pytest
from drf_spectacular.generators import SchemaGenerator

from accounts.tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/audit-events",
    "/api/v1/shutoff-runs",
    "/api/v1/shutoff-runs/{run}/candidates",
    "/api/v1/service-orders",
    "/api/v1/agency-referrals",
    "/api/v1/accounts/{number}/entries",
]


def _operations():  # type: ignore[no-untyped-def]
    generator = SchemaGenerator()
    schema = generator.get_schema(request=None, public=True)
    generator._initialise_endpoints()
    # the schema names a {pk} path parameter {id} (SCHEMA_COERCE_PATH_PK); match the views the same way
    views = {
        (path.replace("{pk}", "{id}"), method.lower()): callback.cls
        for path, _, method, callback in generator.endpoints
    }
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            yield path, method, op, views[("/api/v1" + path if not path.startswith("/api") else path, method)]


def test_every_operation_declares_the_errors_its_view_answers():
    missing = []
    seen = 0
    for path, method, op, view in _operations():
        seen += 1
        codes = set(op["responses"])
        if op.get("parameters") or "requestBody" in op:
            missing += [f"{method.upper()} {path}: 400"] if "400" not in codes else []
        if "{" in path:
            missing += [f"{method.upper()} {path}: 404"] if "404" not in codes else []
        if "HTTP_409" in inspect.getsource(view):
            missing += [f"{method.upper()} {path}: 409"] if "409" not in codes else []
        for code in {"400", "404", "409"} & codes:
            assert op["responses"][code].get("content"), f"{method.upper()} {path} {code}: a body schema"
    assert seen > 15
    assert not missing, missing


@pytest.fixture
def api(make_user, client):  # type: ignore[no-untyped-def]
    from collections_app.models import BatchRun

    client.force_login(make_user("root", "Supervisor", "Administrator", "Collections officer", is_staff=True))
    client.run = BatchRun.objects.create(kind="shutoff", business_date="2026-06-01")
    client.number = AccountFactory().number
    return client


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("value", ["false", "0", "-3", "", "1.5"])
def test_a_nonsense_page_size_is_400_naming_it(api, url, value):
    response = api.get(url.format(run=api.run.pk, number=api.number), {"page_size": value})
    assert response.status_code == 400, response.content
    assert "page_size" in response.json()


@pytest.mark.parametrize("url", LISTS)
def test_a_good_page_size_is_taken(api, url):
    response = api.get(url.format(run=api.run.pk, number=api.number), {"page_size": "2"})
    assert response.status_code == 200


@pytest.mark.parametrize("name", ["since", "until", "account_id", "actor_id"])
@pytest.mark.parametrize("value", ["", "yesterday"])
def test_an_empty_or_bad_audit_filter_is_400_naming_it(api, name, value):
    response = api.get("/api/v1/audit-events", {name: value})
    assert response.status_code == 400 and name in response.json()


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/v1/service-orders", "status"),
        ("/api/v1/service-orders", "kind"),
        ("/api/v1/shutoff-runs/{run}/candidates", "status"),
        ("/api/v1/agency-referrals", "status"),
    ],
)
def test_a_choice_filter_refuses_an_unknown_value(api, url, name):
    response = api.get(url.format(run=api.run.pk, number=api.number), {name: "nonsense"})
    assert response.status_code == 400 and name in response.json()
