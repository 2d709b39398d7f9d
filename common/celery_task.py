"""The project's Celery task class: enqueue-on-commit that cannot fail the committed request."""

import functools
import logging
from typing import Any

from celery.contrib.django.task import DjangoTask
from django.db import transaction

log = logging.getLogger(__name__)


def _send_or_log(send: Any, name: str) -> None:
    try:
        send()
    except Exception:
        # The transaction is committed: answering 500 now would tell the user their work failed
        # when it did not. The follow-up waits for the watchdog or its nightly sweep instead.
        log.exception("Could not enqueue %s after commit (broker unreachable?); left to the sweep", name)


class ResilientTask(DjangoTask):
    def delay_on_commit(self, *args: Any, **kwargs: Any) -> None:
        send = functools.partial(self.delay, *args, **kwargs)
        transaction.on_commit(functools.partial(_send_or_log, send, self.name))

    def apply_async_on_commit(self, *args: Any, **kwargs: Any) -> None:
        send = functools.partial(self.apply_async, *args, **kwargs)
        transaction.on_commit(functools.partial(_send_or_log, send, self.name))
