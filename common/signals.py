"""Sign-in events go to the audit trail (the auth framework only tells us through signals)."""

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from common.audit import audit_record
from common.session_touch import session_touch


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(actor=user, verb="auth.login", target=user)
    if request is not None and hasattr(request, "session"):
        session_touch(request.session, user)  # the idle clock starts at sign-in


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(actor=user, verb="auth.logout", target=user)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any) -> None:
    # Only the username tried is kept; the password never reaches this handler's output.
    audit_record(
        actor=None, verb="auth.login_failed", data={"username": str(credentials.get("username", ""))[:150]}
    )


@receiver(user_locked_out)
def _locked_out(
    sender: Any, request: Any, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    audit_record(actor=None, verb="auth.locked_out", data={"username": (username or "")[:150]})
