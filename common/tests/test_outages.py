"""Outages cost nothing: payments post with Redis stopped, and a PostgreSQL restart is invisible
to the next request. The faults are real: this checkout's own Redis and PostgreSQL are stopped and
started again by the test (common/tests/faults.py)."""

from uuid import uuid4

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import Client, RequestFactory
from django.utils import timezone

from accounts.tests.factories import AccountFactory, charge
from common.tests.faults import postgres_restart, redis_down, redis_is_up
from common.tokens import token_issue
from payments.models import Payment


def _ivr_client(make_user) -> Client:  # type: ignore[no-untyped-def]
    ivr = make_user("ivr", "Cashier")
    return Client(HTTP_AUTHORIZATION=f"Token {token_issue(user=ivr, name='IVR', actor=ivr)[1]}")


def _body(account) -> dict:  # type: ignore[no-untyped-def]
    return {
        "account_number": account.number,
        "amount": "25.00",
        "tender": "card",
        "card_last4": "4242",
        "auth_code": "A1",
        "idempotency_key": str(uuid4()),
    }


@pytest.mark.django_db
def test_an_api_payment_posts_while_redis_is_down(make_user, caplog):
    client = _ivr_client(make_user)
    account = AccountFactory()
    charge(account, "80.00", due=timezone.localdate())
    with redis_down():
        assert not redis_is_up()
        response = client.post("/api/v1/payments", _body(account), content_type="application/json")
        assert response.status_code == 201, response.content
        # the limiter still counts (in this process) while the cache is away
        again = client.post("/api/v1/payments", _body(account), content_type="application/json")
        assert again.status_code == 201, again.content
    assert redis_is_up()
    assert Payment.objects.filter(account=account).count() == 2
    assert any("rate limiter" in r.getMessage() for r in caplog.records)
    # and with Redis back, the shared limiter is used again
    response = client.post("/api/v1/payments", _body(account), content_type="application/json")
    assert response.status_code == 201, response.content


def _served(environ: dict) -> int:
    """One request through Django's own WSGI handler, as gunicorn serves it. The test client
    would not do: it disconnects `close_old_connections` (where CONN_HEALTH_CHECKS acts) from the
    request signals, so it cannot show what a restart does to a web worker's persistent connection."""
    status: list[str] = []
    response = WSGIHandler()(environ, lambda s, headers, exc_info=None: status.append(s))
    b"".join(response)
    response.close()  # request_finished, as a server sends it
    return int(status[0].split()[0])


@pytest.mark.django_db(transaction=True)
def test_a_postgresql_restart_costs_no_request(make_user, settings):
    """CONN_HEALTH_CHECKS with persistent connections (CONN_MAX_AGE): the connection the restart
    cut is noticed at the start of the next request and replaced, so no request fails."""
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"]
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
    ivr = make_user("ivr", "Cashier")
    token = token_issue(user=ivr, name="IVR", actor=ivr)[1]
    account = AccountFactory()
    charge(account, "80.00", due=timezone.localdate())

    def post() -> int:
        request = RequestFactory().post(
            "/api/v1/payments", _body(account), content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token}",
        )  # fmt: skip
        return _served(request.environ)

    assert post() == 201
    before = connection.connection
    postgres_restart()
    assert [post() for _ in range(5)] == [201] * 5
    assert connection.connection is not before  # the cut connection was replaced, not reused
    assert Payment.objects.filter(account=account).count() == 6


@pytest.mark.django_db
def test_an_enqueue_on_commit_with_redis_down_is_logged(django_capture_on_commit_callbacks, caplog):
    """The work is committed when the follow-up is sent: a broker outage must not turn it into a
    500. The task is left to the watchdog or its sweep (ResilientTask, config/celery.py)."""
    from common.tasks import ping

    with redis_down(), django_capture_on_commit_callbacks(execute=True):
        ping.delay_on_commit(payload="after the payment")
    assert any("Could not enqueue common.tasks.ping" in r.getMessage() for r in caplog.records)
