"""A follow-up is marked done by the person it is assigned to (the contact's author when nobody
is), or by a supervisor; any other desk role is refused and nothing changes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Contact, ReasonCode
from accounts.services.contacts import contact_follow_up_done, contact_log
from accounts.tests.factories import AccountFactory
from common.exceptions import DomainError
from common.models import AuditEvent

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _follow_up(actor, **kw) -> Contact:  # type: ignore[no-untyped-def]
    return contact_log(
        account_id=AccountFactory().pk,
        channel="call",
        inbound=True,
        reason_id=ReasonCode.objects.filter(kind="contact")[0].pk,
        outcome="callback",
        note="call back after payday",
        follow_up_on=TODAY + timedelta(days=1),
        escalated=False,
        actor=actor,
        **kw,
    )


@pytest.mark.parametrize("role", ["Counselor", "Cashier", "Collections officer"])
def test_another_desk_role_cannot_mark_someone_elses_follow_up_done(make_user, role):
    carmen = make_user("carmen", "Counselor")
    contact = _follow_up(carmen)
    with pytest.raises(DomainError, match="Only the person this follow-up is assigned to, or a supervisor"):
        contact_follow_up_done(contact_id=contact.pk, actor=make_user("other", role))
    contact.refresh_from_db()
    assert contact.follow_up_done_at is None
    assert not AuditEvent.objects.filter(verb="contact.follow_up_done").exists()


def test_the_assignee_or_a_supervisor_marks_it_done(make_user):
    carmen, dale = make_user("carmen", "Counselor"), make_user("dale", "Cashier")
    handed_over = _follow_up(carmen, assigned_to=dale)
    with pytest.raises(DomainError, match="assigned to"):
        contact_follow_up_done(contact_id=handed_over.pk, actor=carmen)  # the author handed it over
    assert contact_follow_up_done(contact_id=handed_over.pk, actor=dale).follow_up_done_at is not None
    own = _follow_up(carmen)
    assert contact_follow_up_done(contact_id=own.pk, actor=carmen).follow_up_done_at is not None
    grace = make_user("grace", "Supervisor")
    other = _follow_up(carmen)
    assert contact_follow_up_done(contact_id=other.pk, actor=grace).follow_up_done_at is not None
    assert AuditEvent.objects.filter(verb="contact.follow_up_done", actor=grace).exists()


def test_an_unassigned_follow_up_belongs_to_the_contacts_author(make_user):
    carmen, colin = make_user("carmen", "Counselor"), make_user("colin", "Collections officer")
    contact = _follow_up(carmen)
    Contact.objects.filter(pk=contact.pk).update(assigned_to=None)
    with pytest.raises(DomainError, match="assigned to"):
        contact_follow_up_done(contact_id=contact.pk, actor=colin)
    assert contact_follow_up_done(contact_id=contact.pk, actor=carmen).follow_up_done_at is not None


def test_the_done_button_refuses_another_persons_follow_up_with_a_message(make_user, client):
    contact = _follow_up(make_user("carmen", "Counselor"))
    client.force_login(make_user("colin", "Collections officer"))
    page = client.post(f"/accounts/follow-ups/{contact.pk}/done/", follow=True).content.decode()
    assert "Only the person this follow-up is assigned to, or a supervisor, can mark it done." in page
    contact.refresh_from_db()
    assert contact.follow_up_done_at is None
    assert client.post("/accounts/follow-ups/999999/done/").status_code == 404
