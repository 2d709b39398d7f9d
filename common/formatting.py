"""How figures, dates, codes and names read on screens and documents: one place, pure functions.

Templates reach these through the `formatting` template library (a builtin, no `{% load %}`):
`{{ x|money }}`, `{{ d|screen_date }}`, `{{ d|letter_date }}`, `{{ r|percent }}`,
`{{ code|label }}`, `{{ name|person_name }}`. A check test (common/tests/test_formatting.py)
fails when a template prints money any other way, so one screen cannot drift from the next.
"""

import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils import dateformat, timezone
from django.utils.translation import gettext_lazy

from common.money import to_money

NONE_SHOWN = "—"

# A negative amount reads "-$3.00" everywhere (ledger lines, over/short, credits in tables): the
# sign in front of the dollar sign, as bank statements print it; never "($3.00)" or "3.00-".


def format_money(value: Decimal | int | str | None) -> str:
    """Decimal("23280") -> "$23,280.00"; Decimal("-3") -> "-$3.00"; None -> "—"."""
    if value is None or value == "":
        return NONE_SHOWN
    if isinstance(value, float):  # an aggregate some driver returned as float: shown, never summed
        value = repr(value)
    try:
        amount = to_money(value)
    except (InvalidOperation, ValueError, TypeError):
        return str(value)  # not a number (a placeholder such as "—"): shown as it is
    if amount < 0:
        return f"-${-amount:,.2f}"
    return f"${amount:,.2f}"


def format_over_short(value: Decimal | int | str | None) -> str:
    """A drawer's over/short in words: "balanced", "short $3.00", "over $1.25"."""
    if value is None:
        return NONE_SHOWN
    amount = to_money(value)
    if amount == 0:
        return "balanced"
    return f"{'short' if amount < 0 else 'over'} {format_money(abs(amount))}"


def drawer_outcome(*, status: str, over_short: Decimal | None, signed_off_by: str = "") -> str:
    """What a drawer session's close says on the screen and on the drawer report. A drawer short
    or over within tolerance is NOT balanced: "short $3.00, within tolerance"."""
    if status == "open" or over_short is None:
        return "Open"
    words = format_over_short(over_short)
    if words == "balanced":
        return "Closed, balanced"
    if status == "pending_signoff":
        return f"Closed, {words}, awaiting supervisor sign-off"
    if status == "signed_off":
        by = f" by {signed_off_by}" if signed_off_by else ""
        return f"Closed, {words}, signed off{by}"
    return f"Closed, {words}, within tolerance"


SCREEN_DATE = "%b %d, %Y"  # "Dec 07, 2026": staff screens and tables (as most screens had it)
# "December 7, 2026": letters, notices, receipts. A document prints in its customer's language,
# so the pattern itself is translated (Spanish: "7 de diciembre de 2026"), not only the month.
LETTER_DATE = gettext_lazy("F j, Y")


def _as_date(value: date | datetime | str | None) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))  # dates kept in JSON explanations are ISO strings


def format_date(value: date | datetime | str | None, *, letter: bool = False) -> str:
    """One screen format ("Dec 07, 2026") and one letter format ("December 7, 2026"). No date
    is "" (the template says what stands for it: `|screen_date|default:"—"`)."""
    day = _as_date(value)
    if day is None:
        return ""
    return dateformat.format(day, str(LETTER_DATE)) if letter else day.strftime(SCREEN_DATE)


def format_percent(rate: Decimal | int | str | None, *, places: int | None = None) -> str:
    """A rate as stored (0.015) -> "1.5%"; trailing zeros dropped unless `places` is given."""
    if rate is None or rate == "":
        return NONE_SHOWN
    pct = Decimal(str(rate)) * 100
    if places is not None:
        return f"{pct:.{places}f}%"
    text = format(pct.normalize(), "f")
    return f"{text}%"


# Codes whose words are an abbreviation: shown in capitals, not as "snap" or "Nsf".
ACRONYMS = {
    "snap": "SNAP",
    "wic": "WIC",
    "ssi": "SSI",
    "ssp": "SSP",
    "tanf": "TANF",
    "liheap": "LIHEAP",
    "lihwap": "LIHWAP",
    "nsf": "NSF",
    "ach": "ACH",
    "eft": "EFT",
    "gl": "GL",
    "ga": "GA",
    "pdf": "PDF",
    "id": "ID",
    "csv": "CSV",
    "usps": "USPS",
}


def format_code(code: object, choices: Iterable[tuple[object, object]] | None = None) -> str:
    """A stored code as a reader's words. The model's choice label when there is one
    (BenefitProgram "snap" -> "SNAP / CalFresh"); else words, acronyms in capitals, first letter
    capital: "active_by_supervisor" -> "Active by supervisor", "snap" -> "SNAP"."""
    if code is None or code == "":
        return ""
    if choices is not None:
        for value, text in choices:
            if value == code:
                return str(text)
    words = str(code).replace("_", " ").replace("-", " ").split()
    if not words:
        return ""
    shown = [ACRONYMS.get(w.lower(), w) for w in words]
    first = shown[0]
    if first == words[0] and first.islower():
        shown[0] = first[0].upper() + first[1:]
    return " ".join(shown)


def format_codes(codes: Iterable[object], choices: Iterable[tuple[object, object]] | None = None) -> str:
    """A list of codes as one line of labels: ["snap", "wic"] -> "SNAP / CalFresh, WIC"."""
    pairs = list(choices) if choices is not None else None
    return ", ".join(format_code(c, pairs) for c in codes or [])


# kept in capitals when a name in capitals is title-cased: business suffixes and generations
KEEP_UPPER = {"LLC", "LLP", "LP", "PC", "PLLC", "HOA", "USA", "II", "III", "IV"}


def format_name(value: object) -> str:
    """A person's or business's name as typed, except one stored in capitals (an import from the
    billing system: "MARIA NUÑEZ"), which reads "Maria Nuñez"; "O'BRIEN" -> "O'Brien",
    "SMITH-JONES" -> "Smith-Jones", "MCDONALD" stays "Mcdonald" (no guessing at Mc/Mac)."""
    text = " ".join(str(value or "").split())
    if not text or not text.isupper():
        return text
    out = []
    for word in text.split(" "):
        if word.strip(".,") in KEEP_UPPER:
            out.append(word)
            continue
        parts = []
        for piece in word.split("-"):
            sub = "'".join(s[:1].upper() + s[1:].lower() for s in piece.split("'"))
            parts.append(sub)
        out.append("-".join(parts))
    return " ".join(out)


def format_aside(text: object) -> str:
    """A label shown in parentheses after something else: "(voided)". A label that has its own
    parentheses reads with a comma instead of nesting them: "Returned (NSF)" -> "(returned, NSF)"
    (not "(returned (nsf))"); acronyms keep their capitals."""
    words = str(text or "").strip()
    if not words:
        return ""
    words = re.sub(r"\s*\(([^()]*)\)", r", \1", words).replace("(", "").replace(")", "")
    first = words.split(" ", 1)[0].rstrip(",")
    if not first.isupper():  # "Returned" -> "returned"; "NSF" stays
        words = words[0].lower() + words[1:]
    return f"({words})"
