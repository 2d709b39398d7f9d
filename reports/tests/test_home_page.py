"""/supervisor/: supervisors only; alarms on top (role="alert" only when there is one), the
figures table with a link per figure; a fixed number of queries for N and 3N days of records."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import assert_access
from payments.models import DrawerSession
from reports.tests.home_seed import seed_day

pytestmark = pytest.mark.django_db


def test_supervisors_only(role_clients) -> None:  # type: ignore[no-untyped-def]
    assert_access(role_clients, "/supervisor/", {"Supervisor"})


def test_page_shows_alarms_and_figures(role_clients, make_user) -> None:  # type: ignore[no-untyped-def]
    client: Client = role_clients["Supervisor"]
    page = client.get("/supervisor/").content.decode()
    # a fresh database: no ledger check, no nightly run yet -> alarms, in an alert
    assert 'role="alert"' in page and 'data-alarm="not_run"' in page
    assert "Payments posted" in page and "4-week average" in page
    assert "Median hours to reconnect" in page and 'class="visually-hidden">' in page


def test_all_clear_has_no_alert(role_clients, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("reports.views.alarms", lambda: [])
    page = role_clients["Supervisor"].get("/supervisor/").content.decode()
    assert 'role="alert"' not in page and 'data-testid="all-clear"' in page


def test_query_count_constant(role_clients, make_user) -> None:  # type: ignore[no-untyped-def]
    """The same number of statements for N and 3N days' records (and many drawer alarms)."""
    user, client = make_user("seeder"), role_clients["Supervisor"]
    today = timezone.localdate()
    counts = []
    for scale in (1, 2):  # N, then N + 2N
        for offset in range(1, 36, 2):
            seed_day(today - timedelta(days=offset), user, scale=scale)
        DrawerSession.objects.filter(over_short__lt=0).update(status="pending_signoff")
        client.get("/supervisor/")  # caches warmed (policy, session)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/supervisor/")
        assert response.status_code == 200 and b'data-alarm="drawer"' in response.content
        counts.append(len(queries))
    # session, user, permissions (1), the existing cards (3), alarms (4), figures (11), the
    # policy cache's check per current_policy() (3 x 2), the session saved
    assert counts[0] == counts[1] <= 33, counts
