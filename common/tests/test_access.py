"""Login everywhere, and roles checked on the server for every page and API call."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from common.tokens import token_issue
from conftest import ROLE_NAMES, assert_access

pytestmark = pytest.mark.django_db

COUNSELOR, CASHIER, COLLECTOR, SUPERVISOR, ADMIN = ROLE_NAMES

PAGES = [
    ("/counseling/", {COUNSELOR, SUPERVISOR}),  # README: supervisors hold the desk
    ("/cashier/", {CASHIER}),
    ("/collections/", {COLLECTOR, SUPERVISOR}),
    ("/supervisor/", {SUPERVISOR}),
    ("/administration/", {ADMIN}),
    ("/audit/", {SUPERVISOR, ADMIN}),
    ("/admin/", {ADMIN}),
    ("/admin/auth/user/", {ADMIN}),
    ("/admin/common/integrationtoken/", {ADMIN}),
]
API = [
    ("/api/v1/audit-events", {SUPERVISOR, ADMIN}),
    ("/api/v1/me", set(ROLE_NAMES)),
    ("/api/schema/", set(ROLE_NAMES)),
]


@pytest.mark.parametrize(("path", "allowed"), PAGES + API)
def test_each_role_is_refused_what_its_role_does_not_hold(role_clients, path, allowed):
    assert_access(role_clients, path, allowed)


@pytest.mark.parametrize(("path", "_allowed"), PAGES)
def test_pages_send_anonymous_visitors_to_sign_in(client, path, _allowed):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize(("path", "_allowed"), API)
def test_api_refuses_anonymous_callers(client, path, _allowed):
    assert client.get(path).status_code in (401, 403)


def _all_paths(patterns, prefix=""):
    for p in patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from _all_paths(p.url_patterns, route)
        elif isinstance(p, URLPattern) and "<" not in route and "(" not in route and "^" not in route:
            yield "/" + route.replace("\\Z", "").replace("$", "")


PUBLIC = {"/login/", "/healthz", "/favicon.ico"}


def test_every_page_without_parameters_needs_a_login():
    """Guards views added later: anything reachable anonymously must be listed in PUBLIC."""
    client = Client()
    paths = sorted(set(_all_paths(get_resolver().url_patterns)) - PUBLIC)
    assert "/counseling/" in paths and "/api/v1/me" in paths  # the walk found the real routes
    for path in paths:
        status = client.get(path).status_code
        assert status in (301, 302, 401, 403, 405), f"{path} answered {status} to an anonymous GET"


def test_token_authentication_for_integrations(make_user):
    user = make_user("ivr", "Supervisor")
    _token, key = token_issue(user=user, name="test", actor=user)
    client = Client()
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert response.json() == {
        "username": "ivr",
        "full_name": "",
        "roles": ["Supervisor"],
        "home": "/supervisor/",
    }
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Token wrong").status_code == 401


def test_logout_needs_post_and_ends_the_session(role_clients):
    client = role_clients[COUNSELOR]
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert client.get("/counseling/").status_code == 302
