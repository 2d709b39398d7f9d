import pytest
from django.contrib.auth.models import Group

from common.navigation import home_for
from common.roles import COUNSELOR, ROLES, roles_sync

pytestmark = pytest.mark.django_db


def _perms(group: Group) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def test_migration_created_each_role_with_exactly_its_permissions():
    for role in ROLES:
        assert _perms(Group.objects.get(name=role.name)) == set(role.permissions)


def test_roles_sync_repairs_drift_and_reports_nothing_missing():
    counselor = Group.objects.get(name="Counselor")
    counselor.permissions.clear()
    assert roles_sync() == []
    wanted = next(r.permissions for r in ROLES if r.name == COUNSELOR)
    assert "common.use_counseling" in wanted
    assert _perms(counselor) == set(wanted)


@pytest.mark.parametrize(
    ("role", "home"),
    [
        ("Counselor", "/counseling/"),
        ("Cashier", "/cashier/"),
        ("Collections officer", "/collections/"),
        ("Supervisor", "/supervisor/"),
        ("Administrator", "/administration/"),
    ],
)
def test_each_role_has_its_own_home(make_user, role, home):
    user = make_user("u", role)
    assert home_for(user).url == home


def test_a_user_without_a_role_has_no_home_and_is_told_so(make_user, client):
    client.force_login(make_user("norole"))
    response = client.get("/")
    assert response.status_code == 403
    assert b"No role assigned" in response.content
