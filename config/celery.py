import os

from celery import Celery
from celery.signals import after_task_publish, beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# ResilientTask: a task enqueued on commit whose broker is down is logged, never a 500 (the work is
# committed; the watchdog or the task's sweep picks it up).
app = Celery("utility", task_cls="common.celery_task:ResilientTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@beat_init.connect
def _first_heartbeat(sender: object, **kwargs: object) -> None:
    # Interval entries first fire one period after beat starts; report life at once instead.
    app.send_task("common.tasks.heartbeat")


@after_task_publish.connect
def _record_scheduled_publish(sender: str | None = None, **kwargs: object) -> None:
    # Fired only once the message is in the broker: what beat failed to send stays unrecorded,
    # and the watchdog sends it (common/watchdog.py).
    from common.watchdog import record_published

    if sender:
        record_published(sender)
