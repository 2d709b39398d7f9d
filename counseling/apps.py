from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.urls import reverse

from common.formatting import format_money


def _reference_data(sender: Any, **kwargs: Any) -> None:
    from counseling.reference_data import reference_data_sync

    reference_data_sync()


def _info(ctx: dict[str, Any]) -> dict[str, Any]:
    """Loaded once per page, shared by the flag and timeline providers."""
    if "counseling" not in ctx:
        from counseling.selectors import account_counseling

        ctx["counseling"] = account_counseling(account_id=ctx["account"].pk)
    return ctx["counseling"]


def _flags(ctx: dict[str, Any]) -> list:  # type: ignore[type-arg]
    from accounts.page_registry import Flag

    info = _info(ctx)
    flags = []
    for pledge in info["pending_pledges"]:
        flags.append(
            Flag(
                "pledge",
                f"Pledge {format_money(pledge.amount)} from {pledge.agency.name}",
                f"An assistance pledge holds any shutoff until {pledge.expected_by:%b %d, %Y}, when the "
                "agency is expected to pay.",
                "info",
            )
        )
    if arr := info["open_arrangement"]:
        if arr.status == "active":
            flags.append(
                Flag(
                    "arrangement",
                    f"Payment arrangement: {arr.installment_count} installments",
                    "Installments in good standing hold off collections; a missed one breaks it.",
                    "info",
                )
            )
        else:
            flags.append(
                Flag(
                    "arrangement_pending",
                    "Arrangement awaiting approval",
                    "Above the counselor's credit authority: a supervisor must approve it.",
                    "warning",
                )
            )
    if info["enrollments"]:
        names = ", ".join(e.get_program_display() for e in info["enrollments"])
        flags.append(
            Flag(
                "program",
                names,
                "Enrolled in an assistance rate; recertification due "
                f"{min(e.recert_due for e in info['enrollments']):%b %d, %Y}.",
                "success",
            )
        )
    if info["last_interview"] and info["last_interview"].low_income:
        flags.append(
            Flag(
                "low_income",
                f"Low income ({info['last_interview'].fpl_percent}% of poverty line)",
                "Low-income protections and caps apply (reconnection fee caps, arrangement terms).",
                "secondary",
            )
        )
    return flags


def _timeline(ctx: dict[str, Any]) -> list:  # type: ignore[type-arg]
    from accounts.page_registry import TimelineItem

    info = _info(ctx)
    items = [
        TimelineItem(
            i.conducted_at,
            "interview",
            "Hardship interview",
            f"{i.fpl_percent}% of poverty line · {i.get_hardship_reason_display()}",
            url=reverse("counseling:interview", args=[i.pk]),
        )
        for i in info["interviews"]
    ]
    items += [
        TimelineItem(p.created_at, "pledge", f"Pledge from {p.agency.name}", p.get_status_display(), p.amount)
        for p in info["pledges"]
    ]
    items += [
        TimelineItem(
            a.created_at,
            "arrangement",
            f"Arrangement: {a.get_status_display()}",
            a.end_reason or a.reason[:80],
            a.total,
            url=reverse("counseling:arrangement", args=[a.pk]),
        )
        for a in info["arrangements"]
    ]
    return items


def _actions(ctx: dict[str, Any]) -> list:  # type: ignore[type-arg]
    from accounts.page_registry import QuickAction

    n = ctx["account"].number
    return [
        QuickAction(
            "Hardship interview",
            reverse("counseling:interview_new", args=[n]),
            "counseling.add_hardshipinterview",
            11,
        ),
        QuickAction(
            "Arrangement", reverse("counseling:arrangement_new", args=[n]), "counseling.add_arrangement", 12
        ),
        QuickAction("Pledge", reverse("counseling:pledge_new", args=[n]), "counseling.add_pledge", 13),
        QuickAction(
            "Refer to agency", reverse("counseling:referral_new", args=[n]), "counseling.add_referral", 14
        ),
        QuickAction(
            "Enroll in program",
            reverse("counseling:enroll", args=[n]),
            "counseling.add_programenrollment",
            15,
        ),
    ]


class CounselingConfig(AppConfig):
    name = "counseling"
    verbose_name = "Credit counseling"

    def ready(self) -> None:
        from accounts import page_registry
        from common.approvals import approval_register
        from common.navigation import NavItem, nav_register
        from counseling.approvals import ARRANGEMENTS
        from counseling.services import tracking
        from payments.services.hooks import on_payment_posted, on_payment_returned, on_payment_voided

        approval_register(ARRANGEMENTS)

        nav_register(
            NavItem(
                "Counseling desk",
                "counseling:home",
                "common.use_counseling",
                order=10,
                workspace=True,
                also_for=("common.use_supervision",),
            )
        )
        nav_register(
            NavItem(
                "Arrangement approvals",
                "counseling:approvals",
                "counseling.approve_arrangement",
                order=44,
                hidden_for=("common.use_supervision",),  # the approvals queue lists them
                group="oversight",
            )
        )
        nav_register(
            NavItem("Agencies", "counseling:agencies", "counseling.view_agency", order=49, group="reference")
        )
        on_payment_posted(tracking.on_posted, accounts=tracking.tracked_accounts)
        on_payment_returned(tracking.on_returned)
        on_payment_voided(tracking.on_voided)
        page_registry.register(flags=_flags, timeline=_timeline, actions=_actions)
        post_migrate.connect(_reference_data, sender=self, dispatch_uid="counseling.reference_data")
