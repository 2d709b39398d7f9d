from typing import Any

from django.core.exceptions import ImproperlyConfigured
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
