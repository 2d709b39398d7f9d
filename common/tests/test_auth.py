from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from common.models import AuditEvent

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def test_sign_in_lands_on_the_role_home(make_user, client):
    make_user("dale", "Cashier")
    response = client.post("/login/", {"username": "dale", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/cashier/"
    assert b"Cashier counter" in response.content


def test_wrong_password_says_so_and_signs_nobody_in(make_user, client):
    make_user("dale", "Cashier")
    response = client.post("/login/", {"username": "dale", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert client.get("/cashier/").status_code == 302


def test_repeated_failures_lock_the_sign_in_even_with_the_right_password(make_user, client, settings):
    make_user("dale", "Cashier")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "dale", "password": "wrong"})
    response = client.post("/login/", {"username": "dale", "password": PASSWORD})
    assert response.status_code == 429
    assert "Sign-in locked" in response.content.decode()
    assert client.get("/cashier/").status_code == 302
    assert AuditEvent.objects.filter(verb="auth.locked_out").exists()
    # Another address is not locked out by this one's failures.
    other = client.__class__(REMOTE_ADDR="10.9.9.9")
    assert other.post("/login/", {"username": "dale", "password": PASSWORD}).status_code == 302


def test_lock_clears_after_the_cooloff(make_user, client, settings):
    from axes.models import AccessAttempt

    make_user("dale", "Cashier")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "dale", "password": "wrong"})
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    assert client.post("/login/", {"username": "dale", "password": PASSWORD}).status_code == 302


def test_session_ends_after_inactivity(make_user, client, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client.force_login(make_user("dale", "Cashier"))
    assert client.get("/cashier/").status_code == 200
    session = Session.objects.get()
    # Signing in starts a full idle period...
    assert session.expire_date > timezone.now() + timedelta(minutes=29)
    # ...and once a full idle period passes with no request, the session is gone.
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/cashier/").status_code == 302


def test_activity_pushes_the_idle_end_ahead_at_most_once_a_minute(
    make_user, client, django_assert_num_queries
):
    from common.session_touch import TOUCHED

    client.force_login(make_user("dale", "Cashier"))
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=5))
    assert client.get("/cashier/").status_code == 200
    # within the minute after the last write: no session write, the end stays where it was
    assert Session.objects.get().expire_date < timezone.now() + timedelta(minutes=6)
    # a minute or more after it: the request writes the session, a full idle period ahead
    session = client.session
    session[TOUCHED] -= 61
    session.save()
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=5))
    response = client.get("/cashier/")
    assert response.status_code == 200
    assert Session.objects.get().expire_date > timezone.now() + timedelta(minutes=29)
    # the page's warning counts down from that write, not from a fresh 30 minutes
    assert (
        b'data-session-seconds="1800"' in response.content
        or b'data-session-seconds="1799"' in response.content
    )
