from django.apps import AppConfig


class CollectionsConfig(AppConfig):
    name = "collections_app"
    verbose_name = "Collections"

    def ready(self) -> None:
        from common.navigation import NavItem, nav_register

        nav_register(
            NavItem("Collections", "collections_app:home", "common.use_collections", order=30, workspace=True)
        )
