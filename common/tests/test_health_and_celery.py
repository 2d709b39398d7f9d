"""Health and Celery against the real Redis broker and a real worker."""

import pytest
from django.core.cache import cache

from common.health import HEARTBEAT_KEY
from common.tasks import heartbeat, ping


@pytest.mark.django_db(transaction=True)
def test_task_round_trips_through_redis_and_a_real_worker(celery_worker):
    result = ping.delay(payload="hello")
    assert result.get(timeout=20) == "pong:hello"


@pytest.mark.django_db(transaction=True)
def test_healthz_is_200_with_every_part_up(celery_worker, client):
    heartbeat.delay().get(timeout=20)
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok" and body["failing"] == []
    assert body["database"]["ok"] and body["redis"]["ok"]
    assert body["celery"]["workers"], "the worker that answered is named"
    assert body["beat"]["ok"] and body["beat"]["seconds_since_heartbeat"] < 60


@pytest.mark.django_db
def test_healthz_names_celery_when_no_worker_answers(client):
    cache.delete(HEARTBEAT_KEY)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["celery"]
    assert body["celery"]["error"] == "no Celery worker answered"
    assert body["beat"]["ok"] is False  # reported, not failing readiness


@pytest.mark.django_db
def test_healthz_names_redis_when_it_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["redis", "celery"]
    assert "ConnectionError" in body["redis"]["error"]


@pytest.mark.django_db
def test_healthz_names_the_database_when_it_fails(client, monkeypatch):
    from common import health

    def broken():
        raise health.connection.OperationalError("could not connect to server")  # type: ignore[attr-defined]

    monkeypatch.setattr(health, "_database", broken)
    body = client.get("/healthz").json()
    assert "database" in body["failing"]
