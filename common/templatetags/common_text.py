"""Text helpers for templates."""

from datetime import datetime

from django import template

register = template.Library()


@register.filter
def words(code: str) -> str:
    """A stored code as words: "not_applicable" -> "not applicable" (cut:"_" glued them)."""
    return str(code).replace("_", " ")


@register.filter
def took(start: datetime | None, end: datetime | None) -> str:
    """How long from start to end, to the second under an hour: "8 s", "3 min 5 s", "1 h 12 min"
    (timesince says "0 minutes" for a job of a few seconds)."""
    if start is None or end is None:
        return ""
    seconds = max(int((end - start).total_seconds()), 0)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"
