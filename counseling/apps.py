from django.apps import AppConfig


class CounselingConfig(AppConfig):
    name = "counseling"
    verbose_name = "Credit counseling"

    def ready(self) -> None:
        from common.navigation import NavItem, nav_register

        nav_register(
            NavItem("Counseling desk", "counseling:home", "common.use_counseling", order=10, workspace=True)
        )
