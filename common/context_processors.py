from django.http import HttpRequest

from common.navigation import home_for, nav_with_badges
from common.session_touch import session_seconds_left


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "session_seconds": session_seconds_left(request.session),
        "nav_items": nav_with_badges(user),
        "nav_home": home_for(user),
        "user_roles": sorted(g.name for g in user.groups.all()),
    }
