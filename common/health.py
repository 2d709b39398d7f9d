"""Readiness of the parts the system needs: database, Redis, Celery workers (and beat, reported)."""

import time
from typing import Any

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection

HEARTBEAT_KEY = "beat:last-heartbeat"
BEAT_STALE_AFTER = 180  # seconds: three missed beats of the one-minute heartbeat


def _database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True}


def _redis() -> dict[str, Any]:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    client.ping()
    return {"ok": True}


def _celery() -> dict[str, Any]:
    from config.celery import app

    replies = app.control.ping(timeout=1.0)
    workers = sorted(name for reply in replies for name in reply)
    if not workers:
        return {"ok": False, "error": "no Celery worker answered"}
    return {"ok": True, "workers": workers}


def _beat() -> dict[str, Any]:
    last = cache.get(HEARTBEAT_KEY)
    if last is None:
        return {"ok": False, "error": "no heartbeat from beat yet"}
    age = int(time.time() - float(last))
    return {"ok": age <= BEAT_STALE_AFTER, "seconds_since_heartbeat": age}


def _safe(check: Any) -> dict[str, Any]:
    try:
        return check()
    except Exception as exc:  # a health check reports failures, it does not raise them
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}


REQUIRED = ("database", "redis", "celery")


def health_report() -> tuple[bool, dict[str, Any]]:
    parts: dict[str, dict[str, Any]] = {"database": _safe(_database), "redis": _safe(_redis)}
    if parts["redis"]["ok"]:
        parts["celery"] = _safe(_celery)
        parts["beat"] = _safe(_beat)
    else:  # the broker is Redis: asking workers would only hang on the dead connection
        parts["celery"] = {"ok": False, "error": "broker (Redis) unreachable"}
        parts["beat"] = {"ok": False, "error": "broker (Redis) unreachable"}
    failing = [name for name in REQUIRED if not parts[name]["ok"]]
    # Beat is reported but does not fail readiness: web and workers serve without it, and it
    # needs a minute after start to show its first heartbeat.
    return not failing, {"status": "ok" if not failing else "failing", "failing": failing, **parts}
