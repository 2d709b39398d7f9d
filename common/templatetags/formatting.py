"""The formatting layer as template filters (a builtin library: every template and PDF has them).
The functions live in common.formatting; these only adapt them to the template language."""

from decimal import Decimal
from typing import Any

from django import template

from common import formatting

register = template.Library()


@register.filter
def money(value: Any) -> str:
    """{{ amount|money }} -> "$23,280.00" ("-$3.00" when negative)."""
    return formatting.format_money(value)


@register.filter
def over_short(value: Any) -> str:
    """{{ session.over_short|over_short }} -> "balanced", "short $3.00", "over $1.25"."""
    return formatting.format_over_short(value)


@register.filter
def drawer_outcome(session: Any) -> str:
    """{{ session|drawer_outcome }} -> "Closed, short $3.00, within tolerance"."""
    by = session.signed_off_by.get_username() if getattr(session, "signed_off_by_id", None) else ""
    return formatting.drawer_outcome(status=session.status, over_short=session.over_short, signed_off_by=by)


@register.filter
def screen_date(value: Any) -> str:
    """{{ d|screen_date }} -> "Dec 07, 2026"."""
    return formatting.format_date(value)


@register.filter
def letter_date(value: Any) -> str:
    """{{ d|letter_date }} -> "December 7, 2026"."""
    return formatting.format_date(value, letter=True)


@register.filter
def percent(value: Any, places: Any = None) -> str:
    """{{ rate|percent }} -> "1.5%"; {{ rate|percent:1 }} -> "1.5%" with one place always."""
    return formatting.format_percent(value, places=None if places is None else int(places))


@register.filter
def label(code: Any, choices: Any = None) -> str:
    """{{ code|label }} -> readable words; {{ code|label:choices }} -> the model's choice label."""
    return formatting.format_code(code, choices)


@register.filter
def labels(codes: Any, choices: Any = None) -> str:
    """{{ interview.benefits|labels:benefit_choices }} -> "SNAP / CalFresh, WIC"."""
    return formatting.format_codes(codes, choices)


@register.filter
def aside(value: Any) -> str:
    """{{ p.get_status_display|aside }} -> "(returned, NSF)", "(voided)"."""
    return formatting.format_aside(value)


@register.filter
def person_name(value: Any) -> str:
    """{{ name|person_name }}: a name stored in capitals reads in title case."""
    return formatting.format_name(value)


@register.filter
def is_negative(value: Any) -> bool:
    """For a CSS class on credits: {% if x|is_negative %}."""
    try:
        return Decimal(str(value)) < 0
    except ArithmeticError:
        return False
