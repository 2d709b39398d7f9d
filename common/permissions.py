from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import user_passes_test
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request


class RolePermission(BasePermission):
    """Every API view must say which permission it needs (`required_permission`, or None for any
    signed-in user). A view that forgets fails loudly instead of silently opening to everyone."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not hasattr(view, "required_permission"):
            raise ImproperlyConfigured(f"{type(view).__name__} must set required_permission")
        perm = view.required_permission
        return perm is None or request.user.has_perm(perm)


def any_permission_required(*perms: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Like permission_required(..., raise_exception=True), but one of `perms` is enough: a team's
    desk opens to the team and to the supervisors who review it."""

    def check(user: Any) -> bool:
        if any(user.has_perm(p) for p in perms):
            return True
        raise PermissionDenied

    return user_passes_test(check)
