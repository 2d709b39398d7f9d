"""The Celery app of the worker SUBPROCESSES the fault tests kill (`celery -A
common.tests.killed_worker worker`): the project's app (config.celery) plus the test job kinds.

KILLTEST_CHUNK_PAUSE (seconds) makes each shutoff chunk wait before it starts, so the test can
SIGKILL the worker after the first chunk is stored and before the last one: without it the
chunks of a small test city finish faster than anyone could kill the process. The work itself is
the project's, unchanged.
"""

import os
import time
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from celery.signals import task_prerun  # noqa: E402

from common.tests import kill_kinds  # noqa: E402, F401  (registers the test job kinds)
from config.celery import app  # noqa: E402

__all__ = ["app"]
CHUNK_TASK = "collections_app.tasks.shutoff.shutoff_chunk_task"


@task_prerun.connect
def _pause_chunks(sender: Any = None, **kwargs: Any) -> None:
    pause = float(os.environ.get("KILLTEST_CHUNK_PAUSE") or 0)
    if pause and sender is not None and sender.name == CHUNK_TASK:
        time.sleep(pause)
