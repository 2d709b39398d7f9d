"""Input checks shared by the collections forms and API serializers.

Dates: the engine adds and subtracts days, months and years (notice leads, arrangement terms,
deposit anniversaries, bankruptcy deadlines). A date near year 1 or 9999 overflows Python's
`date` there and answered 500; a date a person types is never that far out. Every date the
collections pages and API accept lies in FIRST_DATE..LAST_DATE; rules about the past or the
future that matter to one record (a certificate not received yet) stay in its service.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError

FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2100, 12, 31)
RANGE_MESSAGE = f"Enter a date between {FIRST_DATE:%Y} and {LAST_DATE:%Y}."


def date_in_range(value: date | datetime) -> None:
    """A Django validator (DRF runs Django validators too)."""
    day = value.date() if isinstance(value, datetime) else value
    if not FIRST_DATE <= day <= LAST_DATE:
        raise ValidationError(RANGE_MESSAGE, code="date_range")


def parse_date_param(raw: str) -> date:
    """A date from a query string (`?as_of=`); ValueError with a message for people."""
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError("Use a date like 2026-11-23.") from None
    if not FIRST_DATE <= day <= LAST_DATE:
        raise ValueError(RANGE_MESSAGE)
    return day


def text_param(params, name: str, default: str = "") -> str:  # type: ignore[no-untyped-def]
    """A free-text filter from a query string (crew, rule code, search). PostgreSQL refuses a NUL
    character in a string: a `%00` in the URL must filter like any other text, not crash."""
    return params.get(name, default).replace("\x00", "").strip()[:100]


def form_errors_text(form) -> str:  # type: ignore[no-untyped-def]
    """A refused form's errors as one message for a redirect ("Sent on: Enter a valid date."), so
    the person learns which field was wrong, not only that something was."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        text = " ".join(str(e) for e in errors)
        parts.append(f"{label or name.replace('_', ' ').capitalize()}: {text}" if name != "__all__" else text)
    return " ".join(parts)


# A form's one-time key already used on another account: a replay must not answer with (and
# claim success for) another household's record, nor reach the unique index as a 500.
KEY_USED_ELSEWHERE = (
    "This form was already used for another account; reload this account's page and try again."
)
