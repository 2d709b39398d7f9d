"""The idle limit without a session write on every page.

SESSION_SAVE_EVERY_REQUEST wrote the session row on every request (one UPDATE per page, three
statements inside a test's transaction) only to push its end a full idle period ahead. Here a
signed-in session is written again only when its last write is a minute old or more: the idle
limit holds to within that minute, and the page's warning counts down from the last write
(`session_seconds_left`), so it never promises time the session does not have. The roles the
menu shows beside the user's name are read at the same write (`session_roles`): a role an
administrator changes shows within the minute, and no page reads the user's groups for it. (Only
the label: every permission is still checked on the server on every request.)"""

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse

TOUCHED = "_touched"
ROLES = "_roles"
TOUCH_EVERY_SECONDS = 60


def session_touch(session: SessionBase, user: Any) -> None:
    """Mark the session written now (modifying it makes SessionMiddleware save it)."""
    session[TOUCHED] = int(time.time())
    session[ROLES] = sorted(user.groups.values_list("name", flat=True))


def session_roles(session: SessionBase, user: Any) -> list[str]:
    roles = session.get(ROLES)
    return roles if roles is not None else sorted(user.groups.values_list("name", flat=True))


def session_seconds_left(session: SessionBase) -> int:
    touched = session.get(TOUCHED)
    if touched is None:
        return session.get_expiry_age()
    return max(settings.SESSION_COOKIE_AGE - (int(time.time()) - touched), 0)


class SessionTouchMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and (
            int(time.time()) - request.session.get(TOUCHED, 0) >= TOUCH_EVERY_SECONDS
        ):
            session_touch(request.session, request.user)
        return self.get_response(request)
