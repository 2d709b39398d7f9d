"""Integration tokens are stored hashed, can expire and be revoked, and show when they were last
used (issue 11)."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps as global_apps
from django.db import connection
from django.test import Client
from django.utils import timezone

from common.models import AuditEvent, IntegrationToken
from common.tokens import LAST_USED_RESOLUTION, token_hash, token_issue, token_revoke

pytestmark = pytest.mark.django_db


@pytest.fixture
def ivr(make_user):
    return make_user("ivr", "Cashier")


@pytest.fixture
def admin_user(make_user):
    return make_user("root", "Administrator", is_staff=True)


def _me(key: str) -> int:
    return Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Token {key}").status_code


def test_the_key_is_stored_only_as_a_hash_and_works(ivr, admin_user):
    token, key = token_issue(user=ivr, name="IVR vendor", actor=admin_user)
    assert _me(key) == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM common_integrationtoken")
        stored = repr(cursor.fetchall())
        cursor.execute("SELECT data::text, target_label FROM common_auditevent")
        audited = repr(cursor.fetchall())
    assert key not in stored and key not in audited
    assert token.key_hash == token_hash(key) and token.prefix == key[:8] and len(key) == 40
    event = AuditEvent.objects.get(verb="token.issue")
    assert event.actor == admin_user and event.data["user"] == "ivr"


def test_expired_and_revoked_tokens_are_refused_with_401(ivr, admin_user):
    _expiring, soon = token_issue(
        user=ivr, name="crew", actor=admin_user, expires_at=timezone.now() + timedelta(hours=1)
    )
    assert _me(soon) == 200
    IntegrationToken.objects.filter(name="crew").update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _me(soon) == 401

    token, key = token_issue(user=ivr, name="portal", actor=admin_user)
    assert _me(key) == 200
    token_revoke(token_id=token.pk, actor=admin_user)
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 401 and "revoked" in response.json()["detail"]
    assert AuditEvent.objects.filter(verb="token.revoke", actor=admin_user).count() == 1

    ivr.is_active = False
    ivr.save()
    _other, inactive = token_issue(user=ivr, name="old", actor=admin_user)
    assert _me(inactive) == 401


def test_last_use_is_recorded_at_most_once_a_minute(ivr, admin_user, django_assert_num_queries):
    token, key = token_issue(user=ivr, name="IVR", actor=admin_user)
    assert token.last_used_at is None
    assert _me(key) == 200
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None and timezone.now() - first < timedelta(seconds=10)
    _me(key)
    token.refresh_from_db()
    assert token.last_used_at == first, "a second call within the minute writes nothing"
    IntegrationToken.objects.filter(pk=token.pk).update(
        last_used_at=timezone.now() - LAST_USED_RESOLUTION - timedelta(seconds=1)
    )
    _me(key)
    token.refresh_from_db()
    assert token.last_used_at > first


def test_drf_tokens_are_hashed_by_the_migration_and_keep_working(ivr):
    """Existing integrations keep their keys: the clear-text table is hashed, then dropped."""
    key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamptz NOT NULL,"
            " user_id integer NOT NULL)"
        )
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, now(), %s)", [key, ivr.pk])
    migration = importlib.import_module("common.migrations.0003_integration_token")
    with connection.schema_editor() as editor:
        migration.hash_drf_tokens(global_apps, editor)
    assert "authtoken_token" not in connection.introspection.table_names()
    token = IntegrationToken.objects.get(user=ivr)
    assert token.key_hash == token_hash(key) and token.prefix == "01234567"
    assert _me(key) == 200


def test_the_administrator_issues_a_token_once_lists_it_and_revokes_it(ivr, admin_user):
    client = Client()
    client.force_login(admin_user)
    bad = client.post(
        "/admin/common/integrationtoken/add/",
        {"name": "IVR", "user": ivr.pk, "expires_at_0": "2001-01-01", "expires_at_1": "00:00:00"},
    )
    assert bad.status_code == 200 and "must be in the future" in bad.content.decode()
    assert not IntegrationToken.objects.exists()

    issued = client.post("/admin/common/integrationtoken/add/", {"name": "IVR vendor", "user": ivr.pk})
    assert issued.status_code == 200
    key = issued.context["key"]
    assert key in issued.content.decode() and "cannot be shown again" in issued.content.decode()
    token = IntegrationToken.objects.get()
    assert token.created_by == admin_user and token.key_hash == token_hash(key)
    assert AuditEvent.objects.filter(verb="token.issue", actor=admin_user).count() == 1
    _me(key)

    listing = client.get("/admin/common/integrationtoken/").content.decode()
    assert token.prefix in listing and "IVR vendor" in listing and key not in listing
    assert "Last used" in listing and "Revoked" in listing and "Expires" in listing and "active" in listing
    assert token.prefix in client.get("/admin/common/integrationtoken/?state=active").content.decode()
    assert token.prefix not in client.get("/admin/common/integrationtoken/?state=revoked").content.decode()
    assert key not in client.get(f"/admin/common/integrationtoken/{token.pk}/change/").content.decode()

    client.post(
        "/admin/common/integrationtoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == admin_user
    assert AuditEvent.objects.filter(verb="token.revoke").count() == 1
    assert _me(key) == 401


def test_other_roles_cannot_issue_tokens(make_user):
    client = Client()
    client.force_login(make_user("grace", "Supervisor", is_staff=True))
    assert client.get("/admin/common/integrationtoken/add/").status_code == 403
