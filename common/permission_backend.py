"""A user's permissions in one query, where Django's ModelBackend reads them in two (the user's own,
then their groups'), on every request that checks one: every page and API call.

It only reads permissions: it authenticates nobody (sign-in stays with django-axes and
ModelBackend, so the backend recorded in existing sessions is unchanged and a wrong password is
hashed once). Not a BaseBackend on purpose: without `get_user` it is never chosen as a session's
backend (force_login picks the first backend that has one), and its `authenticate` accepts no
credentials, so `authenticate()` passes it by. Listed before ModelBackend, it fills the
per-request cache ModelBackend itself looks at (`user._perm_cache`), so ModelBackend then answers
from it without a query. Nothing is kept
beyond the request's user object: a role changed by an administrator applies on the next request.
"""

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.models import Q

# The statement for a user's permissions, compiled once per process with a stand-in id (no user
# has a negative id) swapped for the real one at each call: building and compiling the query
# (two subqueries, a join) cost about a millisecond of CPU on every page and API call, the query
# itself a fifth of that. The statement read is the same on every request: nothing is cached but
# its SQL text.
_STAND_IN = -(2**62)
_statement: list[str] = []


def _user_perms_query(user_id: int):  # type: ignore[no-untyped-def]
    own = Permission.user_set.through.objects.filter(user_id=user_id).values("permission_id")
    via_groups = Group.permissions.through.objects.filter(group__user=user_id).values("permission_id")
    perms = Permission.objects.filter(Q(pk__in=own) | Q(pk__in=via_groups))
    return perms.values_list("content_type__app_label", "codename").order_by()


def _user_perms(user_id: int) -> set[str]:
    if not _statement:
        sql, params = _user_perms_query(_STAND_IN).query.sql_with_params()
        if list(params) != [_STAND_IN, _STAND_IN]:  # a query of another shape: compiled at each call
            return {f"{app}.{codename}" for app, codename in _user_perms_query(user_id)}
        _statement.append(sql)
    with connection.cursor() as cursor:
        cursor.execute(_statement[0], [user_id, user_id])
        return {f"{app}.{codename}" for app, codename in cursor.fetchall()}


class OneQueryPermissionBackend:
    def authenticate(self, request: Any) -> None:
        return None

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj=obj)

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):  # the attribute ModelBackend.get_all_permissions uses
            if user_obj.is_superuser:
                user_obj._perm_cache = {
                    f"{app}.{codename}"
                    for app, codename in Permission.objects.values_list(
                        "content_type__app_label", "codename"
                    ).order_by()
                }
            else:
                user_obj._perm_cache = _user_perms(user_obj.pk)
        return user_obj._perm_cache  # type: ignore[no-any-return]
