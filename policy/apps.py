from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _reference_data(sender: Any, **kwargs: Any) -> None:
    from policy.reference_data import ensure_reference_data

    ensure_reference_data()


class PolicyConfig(AppConfig):
    name = "policy"
    label = "policy"
    verbose_name = "Policy"

    def ready(self) -> None:
        # Version 1 and the holiday calendar exist after every migrate (fresh, flushed, upgraded).
        post_migrate.connect(_reference_data, sender=self, dispatch_uid="policy.reference_data")
