"""Text helpers for templates."""

from django import template

register = template.Library()


@register.filter
def words(code: str) -> str:
    """A stored code as words: "not_applicable" -> "not applicable" (cut:"_" glued them)."""
    return str(code).replace("_", " ")
