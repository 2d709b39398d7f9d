import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from common.demo import DEMO_USERS

pytestmark = pytest.mark.django_db


def test_seed_demo_refuses_outside_demo_mode(settings):
    settings.DEMO_ALLOWED = False
    with pytest.raises(CommandError, match="DJANGO_ALLOW_DEMO"):
        call_command("seed_demo")


def test_seed_demo_creates_one_user_per_role_and_is_idempotent(settings):
    settings.DEMO_ALLOWED = True
    call_command("seed_demo", "--if-empty")
    call_command("seed_demo", "--if-empty")
    request = RequestFactory().post("/login/")
    for username, _, _, role in DEMO_USERS:
        user = authenticate(request, username=username, password="demo")
        assert user is not None and [g.name for g in user.groups.all()] == [role]
