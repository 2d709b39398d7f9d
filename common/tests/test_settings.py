"""Production settings and browser protections."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_with_production_variables():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        {
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "utility.example.gov",
            "DATABASE_URL": os.environ["DATABASE_URL"],
            "REDIS_URL": os.environ["REDIS_URL"],
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_debug_is_off_unless_set():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_DEBUG"}
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE',"
            "'config.settings'); django.setup(); from django.conf import settings; print(settings.DEBUG)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert out.stdout.strip() == "False"


@pytest.mark.django_db
def test_pages_carry_csp_with_a_nonce_and_frame_protection(client):
    response = client.get("/login/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()  # htmx's script carries it
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response["X-Frame-Options"] == "DENY"
    assert "csrfmiddlewaretoken" in response.content.decode()


@pytest.mark.django_db
def test_forms_refuse_posts_without_a_csrf_token(make_user):
    from django.test import Client

    make_user("dale", "Cashier")
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/login/", {"username": "dale", "password": "x"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_openapi_schema_and_docs_for_signed_in_staff(role_clients):
    client = role_clients["Supervisor"]
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert "/api/v1/audit-events" in schema["paths"] and "/api/v1/me" in schema["paths"]
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger-ui" in docs.content
    assert client.get("/api/docs/?script=").status_code == 200
