"""Celery tasks of collections, one module per area (thin: ids and dates in, one service call)."""

from collections_app.tasks import deposits, fees, recovery, refunds, shutoff  # noqa: F401  (registers the tasks)
