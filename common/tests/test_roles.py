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


def test_a_users_permissions_are_read_in_one_statement_compiled_once(make_user, django_assert_num_queries):
    """common.permission_backend: the user's own and their groups' permissions, exactly as Django's
    ModelBackend finds them, in one statement per request; its SQL is compiled once per process
    (the stand-in id swapped for the user's), a role change shows on the next request."""
    from django.contrib.auth.backends import ModelBackend
    from django.contrib.auth.models import Permission

    from common.permission_backend import OneQueryPermissionBackend

    dale = make_user("dale", "Cashier")
    dale.user_permissions.add(Permission.objects.get(codename="use_counseling"))
    ann = make_user("ann", "Supervisor")
    backend = OneQueryPermissionBackend()
    for user in (dale, ann, dale):
        fresh = type(user).objects.get(pk=user.pk)
        with django_assert_num_queries(1):
            found = backend.get_all_permissions(fresh)
        assert found == ModelBackend().get_all_permissions(type(user).objects.get(pk=user.pk))
    assert "common.use_counseling" in found and "common.use_cashiering" in found
    dale.groups.clear()  # a role taken away applies on the next request (a fresh user object)
    assert backend.get_all_permissions(type(dale).objects.get(pk=dale.pk)) == {"common.use_counseling"}
