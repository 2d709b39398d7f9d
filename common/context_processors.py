from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from common.navigation import home_for, nav_menu, nav_with_badges
from common.session_touch import session_roles, session_seconds_left


def navigation(request: HttpRequest) -> dict[str, object]:
    """The menu, its badges and the user's roles, read only when a template shows them: an htmx
    fragment (a job's progress polled every second) renders no menu and pays no query for it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "session_seconds": session_seconds_left(request.session),
        "nav_items": SimpleLazyObject(lambda: nav_with_badges(user)),
        "nav_menu": SimpleLazyObject(lambda: nav_menu(user)),
        "nav_home": SimpleLazyObject(lambda: home_for(user)),
        "user_roles": SimpleLazyObject(lambda: session_roles(request.session, user)),
    }
