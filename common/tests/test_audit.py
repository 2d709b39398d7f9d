import pytest
from django.contrib.auth.models import Group
from django.db import DatabaseError, transaction

from common.audit import audit_record
from common.models import AuditEvent
from common.request_context import client_ip

pytestmark = pytest.mark.django_db


def test_audit_row_shares_the_transaction_of_the_change(make_user):
    actor = make_user("grace", "Supervisor")
    with pytest.raises(RuntimeError), transaction.atomic():
        group = Group.objects.create(name="Temporary")
        audit_record(actor=actor, verb="group.create", target=group)
        raise RuntimeError("the change fails after its audit row was written")
    assert not AuditEvent.objects.filter(verb="group.create").exists()
    assert not Group.objects.filter(name="Temporary").exists()

    with transaction.atomic():
        group = Group.objects.create(name="Kept")
        audit_record(actor=actor, verb="group.create", target=group, account_id=42, data={"why": "test"})
    event = AuditEvent.objects.get(verb="group.create")
    assert (event.actor, event.actor_label, event.target_label, event.target_id) == (
        actor,
        "grace",
        "Kept",
        str(group.pk),
    )
    assert event.target_type.model == "group" and event.account_id == 42


def test_audit_records_the_client_address_of_the_request():
    token = client_ip.set("10.1.2.3")
    try:
        event = audit_record(actor=None, verb="x.y")
    finally:
        client_ip.reset(token)
    assert event.ip_address == "10.1.2.3" and event.actor is None


def test_the_database_refuses_edits_and_deletes_of_the_trail():
    event = audit_record(actor=None, verb="x.y")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(verb="tampered")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).verb == "x.y"


def test_sign_ins_are_audited_with_their_address(make_user, client):
    make_user("carmen", "Counselor")
    client.post("/login/", {"username": "carmen", "password": "nope"}, REMOTE_ADDR="10.0.0.7")
    client.post(
        "/login/", {"username": "carmen", "password": "correct horse battery staple"}, REMOTE_ADDR="10.0.0.7"
    )
    failed = AuditEvent.objects.get(verb="auth.login_failed")
    assert failed.data == {"username": "carmen"} and failed.ip_address == "10.0.0.7"
    login = AuditEvent.objects.get(verb="auth.login")
    assert login.actor_label == "carmen" and login.ip_address == "10.0.0.7"


def test_supervisor_reads_the_trail_per_user_and_per_account(make_user, role_clients):
    carmen = make_user("carmen", "Counselor")
    dale = make_user("dale", "Cashier")
    audit_record(actor=carmen, verb="contact.create", account_id=1001)
    audit_record(actor=dale, verb="payment.post", account_id=2002)
    supervisor = role_clients["Supervisor"]

    page = supervisor.get(f"/audit/users/{carmen.pk}/").content.decode()
    assert "contact.create" in page and "payment.post" not in page

    page = supervisor.get("/audit/?account_id=2002").content.decode()
    assert "payment.post" in page and "contact.create" not in page

    api = supervisor.get("/api/v1/audit-events?account_id=1001").json()
    assert [e["verb"] for e in api["results"]] == ["contact.create"]
    assert api["results"][0]["actor"] == "carmen"


def test_audit_list_pages_by_keyset_and_rejects_bad_filters(make_user, role_clients):
    actor = make_user("busy", "Counselor")
    for i in range(120):
        audit_record(actor=actor, verb=f"bulk.{i:03d}")
    supervisor = role_clients["Supervisor"]
    first = supervisor.get(f"/audit/users/{actor.pk}/")
    assert first.context["events"][0].verb == "bulk.119" and len(first.context["events"]) == 50
    second = supervisor.get(f"/audit/users/{actor.pk}/?{first.context['next_query']}")
    assert second.context["events"][0].verb == "bulk.069"

    bad = supervisor.get("/audit/?since=2026-05-02&until=2026-05-01")
    assert "from date must be on or before" in bad.content.decode()
    assert bad.context["events"] == []
    assert supervisor.get("/api/v1/audit-events?account_id=abc").status_code == 400
    assert supervisor.get("/api/v1/audit-events?since=yesterday").status_code == 400


def test_admin_changes_to_users_are_audited(role_clients, make_user):
    target = make_user("newbie")
    admin = role_clients["Administrator"]
    response = admin.post(
        f"/admin/auth/user/{target.pk}/change/",
        {
            "username": "newbie",
            "first_name": "New",
            "last_name": "Bie",
            "email": "",
            "is_active": "on",
            "groups": [Group.objects.get(name="Cashier").pk],
            "date_joined_0": "2026-11-01",
            "date_joined_1": "08:00:00",
            "last_login_0": "",
            "last_login_1": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(verb="admin.change.user")
    assert event.actor_label == "administrator" and event.target_id == str(target.pk)
