from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _reference_data(sender: Any, **kwargs: Any) -> None:
    from collections_app.reference_data import ensure_reference_data

    ensure_reference_data()


class CollectionsConfig(AppConfig):
    name = "collections_app"
    verbose_name = "Collections"

    def ready(self) -> None:
        from common.navigation import NavItem, nav_register

        nav_register(
            NavItem("Collections", "collections_app:home", "common.use_collections", order=30, workspace=True)
        )
        post_migrate.connect(_reference_data, sender=self, dispatch_uid="collections_app.reference_data")
        # Account-page providers of each area register below (one line per area).
        from collections_app import page  # noqa: F401
