"""Integration tokens: issued (the key shown once), checked on each API call, revoked.

Only `token_hash(key)` is stored. The services are `@transaction.atomic` but not durable: the
admin's add view and its actions already run inside a transaction of their own.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from common.audit import audit_record
from common.exceptions import DomainError
from common.models import IntegrationToken

# last_used_at is written at most once a minute per token: an IVR calling ten times a second
# costs one UPDATE a minute, not a write per request, and the administrator still sees whether
# (and when, to the minute) a token is in use.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def token_issue(  # type: ignore[no-untyped-def]
    *, user, name: str, actor, expires_at: datetime | None = None
) -> tuple[IntegrationToken, str]:
    """A new token for `user`. Returns the token and its key: the only time the key exists."""
    if not name.strip():
        raise DomainError("token.name", "Say what the token is for.")
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError("token.expires", "The expiry must be in the future.")
    key = secrets.token_hex(20)  # 40 characters, the shape integrations already hold
    token = IntegrationToken.objects.create(
        name=name.strip(),
        user=user,
        prefix=key[:8],
        key_hash=token_hash(key),
        created_by=actor,
        expires_at=expires_at,
    )
    audit_record(
        actor=actor,
        verb="token.issue",
        target=token,
        data={
            "user": user.get_username(),
            "name": token.name,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    return token, key


@transaction.atomic
def token_revoke(*, token_id: int, actor) -> IntegrationToken:  # type: ignore[no-untyped-def]
    """Revoke at once: the next call with the key is answered 401. Revoking twice is a no-op."""
    token = IntegrationToken.objects.select_for_update(no_key=True).get(pk=token_id)
    if token.revoked_at is None:
        token.revoked_at, token.revoked_by = timezone.now(), actor
        token.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(actor=actor, verb="token.revoke", target=token, data={"user": token.user.get_username()})
    return token


def _touch(token: IntegrationToken, now: datetime) -> None:
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    # conditional: of several requests racing past the check above, one writes
    IntegrationToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)


class IntegrationTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>` against the stored hashes; refused (401) when unknown,
    revoked, expired, or its user is deactivated."""

    keyword = "Token"

    def authenticate_credentials(self, key: str):  # type: ignore[no-untyped-def]
        token = IntegrationToken.objects.select_related("user").filter(key_hash=token_hash(key)).first()
        if token is None:
            raise AuthenticationFailed("Invalid token.")
        now = timezone.now()
        state = token.state(at=now)
        if state != "active":
            raise AuthenticationFailed(f"Token {state}.")
        if not token.user.is_active:
            raise AuthenticationFailed("User inactive or deleted.")
        _touch(token, now)
        return token.user, token
