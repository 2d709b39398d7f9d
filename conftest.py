"""Suite-wide fixtures: real Celery worker, Debian's Chromium for Playwright, users per role."""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from common.tests.page_guard import PageGuard

# Playwright's sync API runs an event loop in the test thread; Django's ORM guard would refuse.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
# month names a Spanish document prints ("7 de diciembre de 2026")
SPANISH_MONTHS = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]


def pytest_configure(config: pytest.Config) -> None:
    # live_server serves static files through the finders; WhiteNoise (in the middleware) only
    # needs its STATIC_ROOT to exist, and a fresh clone has not run collectstatic.
    from django.conf import settings

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TEST_PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    # `playwright install` cannot download here: drive the Chromium Debian ships.
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def make_user(db: None) -> Callable[..., object]:
    def make(username: str, *roles: str, **extra: object) -> object:
        user = get_user_model().objects.create_user(username=username, password=TEST_PASSWORD, **extra)
        user.groups.set(Group.objects.filter(name__in=roles))
        return user

    return make


@pytest.fixture
def celery_worker(transactional_db: None) -> Iterator[object]:
    """A real Celery worker (solo pool, in a thread) consuming from the real Redis broker."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    app.control.purge()  # leftovers of an earlier, interrupted run must not run here
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker


ROLE_NAMES = ("Counselor", "Cashier", "Collections officer", "Supervisor", "Administrator")


@pytest.fixture
def role_clients(make_user: Callable[..., object]) -> dict[str, object]:
    """One signed-in Django test client per role (the administrator is staff, as in the demo)."""
    from django.test import Client

    clients = {}
    for role in ROLE_NAMES:
        username = role.lower().replace(" ", "_")
        user = make_user(username, role, is_staff=(role == "Administrator"))
        client = Client()
        client.force_login(user)  # client.login() bypasses the request django-axes needs
        clients[role] = client
    return clients


def assert_access(
    clients: dict[str, object], path: str, allowed: set[str], *, method: str = "get", ok: int = 200
) -> None:
    """Each role in `allowed` gets `ok`; every other role gets 403."""
    for role, client in clients.items():
        response = getattr(client, method)(path)
        expected = ok if role in allowed else 403
        assert response.status_code == expected, (
            f"{role} {method.upper()} {path}: {response.status_code}, expected {expected}"
        )


@pytest.fixture(autouse=True)
def _test_speedups(settings: object) -> None:
    # Password hashing at production strength costs ~0.3 s a user; tests create hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The manifest storage needs `collectstatic` first; its own test builds it (test_static.py).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def wait_for_job(job: object, timeout: float = 120) -> object:
    """The job (common.models.Job) once a worker has finished it, done or failed."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()  # type: ignore[attr-defined]
        if job.finished:  # type: ignore[attr-defined]
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job.pk} still {job.status} at {job.done} of {job.total}")  # type: ignore[attr-defined]


def pdf_text(data: bytes) -> str:
    """The text of a real PDF, extracted by poppler's pdftotext (as a person reading it would)."""
    import subprocess

    assert data.startswith(b"%PDF-"), "not a PDF"
    out = subprocess.run(
        ["/usr/bin/pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True, timeout=60
    )
    return " ".join(out.stdout.decode().split())


def browser_sign_in(page: object, base: str, username: str, password: str = TEST_PASSWORD) -> None:
    """Sign in through the real login form, as a person does."""
    page.goto(f"{base}/login/")  # type: ignore[attr-defined]
    page.get_by_label("Username").fill(username)  # type: ignore[attr-defined]
    page.get_by_label("Password").fill(password)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Sign in").click()  # type: ignore[attr-defined]


@pytest.fixture
def page(
    page: object, browser: object, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[object]:
    """pytest-playwright's page, watched: every page the test opens (this one, its context's
    other pages, pages of contexts opened on `browser`) has each document it shows checked with
    axe-core once loaded (common/tests/page_guard.py), and a console error, CSP violation or page
    error fails the test."""
    from playwright._impl._sync_base import SyncBase
    from playwright.sync_api import Browser

    guard = PageGuard()
    guard.watch_context(page.context)  # type: ignore[attr-defined]
    guard.watch(page)
    new_context = Browser.new_context
    opened = []

    def watched_new_context(self: Browser, *args: object, **kwargs: object) -> object:
        context = new_context(self, *args, **kwargs)
        guard.watch_context(context)
        opened.append(context)
        return context

    def watched_new_page(self: Browser, *args: object, **kwargs: object) -> object:
        # Browser.new_page opens its own context, out of reach of the patched new_context
        return watched_new_context(self, *args, **kwargs).new_page()

    monkeypatch.setattr(Browser, "new_context", watched_new_context)
    monkeypatch.setattr(Browser, "new_page", watched_new_page)
    monkeypatch.setattr(SyncBase, "_sync", guard.sync_hook(SyncBase._sync))
    request.node._page_guard = guard
    yield page
    # A second person's context (a supervisor signing off) would otherwise stay open to the end of
    # the session, its keep-alive connection holding a live-server thread and its database session.
    for context in opened:
        context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    # The final check runs in the test's own call, so a finding fails the test (not its teardown)
    # while the live server and the database are still there.
    result = yield
    guard = getattr(item, "_page_guard", None)
    if guard is not None:
        guard.finish()
    return result
