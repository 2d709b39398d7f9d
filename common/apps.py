from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender: Any, **kwargs: Any) -> None:
    from common.roles import roles_sync

    roles_sync()


def _contact(sender: Any, **kwargs: Any) -> None:
    from common.contact import contact_ensure

    contact_ensure()


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "Common"

    def ready(self) -> None:
        from common import signals  # noqa: F401  (connects the sign-in audit receivers)
        from common.navigation import NavItem, nav_register

        nav_register(
            NavItem("Administration", "administration", "common.use_administration", order=50, workspace=True)
        )
        nav_register(NavItem("Audit trail", "audit_list", "common.view_audit", order=90, group="reference"))
        # long work in the background (common.jobs): everyone signed in sees their own jobs
        nav_register(NavItem("Jobs", "jobs", None, order=95, group="mine"))
        # jobs whose worker died (or whose message was lost) are sent again by the watchdog
        from common.jobs_recovery import requeue_stalled_jobs
        from common.watchdog import register_stall_check

        register_stall_check("jobs", requeue_stalled_jobs)
        # Every migrate ends with the groups matching common.roles, including permissions that
        # apps added after the migration that created the groups.
        post_migrate.connect(_sync_roles, dispatch_uid="common.roles_sync")
        post_migrate.connect(_contact, sender=self, dispatch_uid="common.contact_ensure")
