from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.urls import reverse


def _timeline(ctx: dict[str, Any]) -> list:  # type: ignore[type-arg]
    from accounts.page_registry import TimelineItem
    from letters.selectors import sent_letters_for_account

    return [
        TimelineItem(
            s.sent_at,
            "letter",
            f"Letter: {s.title}",
            f"{'adapted, ' if s.adapted else ''}{s.get_language_display()}, by {s.sent_by.get_username()}",
            url=reverse("letters:sent", args=[s.pk]),
        )
        for s in sent_letters_for_account(account_id=ctx["account"].pk)
    ]


def _actions(ctx: dict[str, Any]) -> list:  # type: ignore[type-arg]
    from accounts.page_registry import QuickAction

    return [
        QuickAction(
            "Adapt a letter",
            reverse("letters:account", args=[ctx["account"].number]),
            "letters.add_sentletter",
            30,
        )
    ]


def _standard_letters(sender: Any, **kwargs: Any) -> None:
    from letters.standard_texts import standard_letters_ensure

    standard_letters_ensure()


class LettersConfig(AppConfig):
    name = "letters"
    verbose_name = "Standard letters"

    def ready(self) -> None:
        from accounts import page_registry

        page_registry.register(timeline=_timeline, actions=_actions)
        post_migrate.connect(_standard_letters, sender=self, dispatch_uid="letters.standard_letters")
