import os

from celery import Celery
from celery.signals import beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("utility")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@beat_init.connect
def _first_heartbeat(sender: object, **kwargs: object) -> None:
    # Interval entries first fire one period after beat starts; report life at once instead.
    app.send_task("common.tasks.heartbeat")
