"""The current request's client address, for the audit trail.

Services take their actor explicitly; the address is a property of the request that carried the
action, so the middleware publishes it here and `audit_record` reads it. Celery tasks and
management commands have none, which the audit trail shows as an empty address.
"""

from contextvars import ContextVar

client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)
