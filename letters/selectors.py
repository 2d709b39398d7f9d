"""Reads for standard and sent letters."""

from django.db.models import QuerySet

from letters.models import LetterKind, LetterLanguage, SentLetter, StandardLetter


def letter_language(preferred: str) -> str:
    """The customer's preferred language as one the letters are kept in ("es-MX" is "es")."""
    code = (preferred or "").strip().lower()[:2]
    return code if code in LetterLanguage.values else LetterLanguage.ENGLISH


def standard_current(*, kind: str, language: str) -> StandardLetter | None:
    """The newest version of a standard letter in the language, else in English (the fallback)."""
    rows = StandardLetter.objects.filter(kind=kind, language__in={language, LetterLanguage.ENGLISH})
    by_language = {}
    for row in rows.order_by("-version"):
        by_language.setdefault(row.language, row)
    return by_language.get(language) or by_language.get(LetterLanguage.ENGLISH)


def standard_kinds() -> list[tuple[str, str]]:
    """The kinds that have a standard text, in the order of LetterKind."""
    kept = set(StandardLetter.objects.values_list("kind", flat=True).distinct())
    return [(value, label) for value, label in LetterKind.choices if value in kept]


def sent_letters_for_account(*, account_id: int) -> QuerySet[SentLetter]:
    return (
        SentLetter.objects.filter(account_id=account_id).select_related("sent_by").order_by("-sent_at", "-id")
    )
