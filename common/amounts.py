"""What staff type as an amount, read one way everywhere: "1,200.00", "$1200", "1200", "$1,200",
" 1200.5 " are all accepted; what could mean two things is refused with a message that says
how to type it ("1.200,00" and "12,5" are European decimals, "1,20" is neither a thousands group
nor cents). A comma is only ever a thousands separator, in groups of three; a point is the
decimal point, followed by at most two digits (cents)."""

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

EXAMPLE = "type it like 1,200.00 or 1200"
_PLAIN = re.compile(r"\d+(?:\.\d{1,2})?|\.\d{1,2}")
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?")


class AmountError(ValueError):
    """The typed text is not an amount, or not one amount: str(exc) is the message for staff."""


def parse_amount(text: str) -> Decimal:
    """The amount typed, as a Decimal (sign kept; the caller's form decides what sign it allows).
    Raises AmountError with a message naming what was typed and how to type it."""
    raw = str(text)
    s = raw.strip().replace("\u00a0", "").replace(" ", "")
    if not s:
        raise AmountError(f"Enter an amount: {EXAMPLE}.")
    negative = False
    # "-$25.00", "$-25.00" and "-25" are one credit; a second sign or dollar is a typo
    if s.startswith("-"):
        negative, s = True, s[1:]
    if s.startswith("$"):
        s = s[1:]
    if not negative and s.startswith("-"):
        negative, s = True, s[1:]
    shown = f'"{raw.strip()}"'
    if not s:
        raise AmountError(f"{shown} has no digits: {EXAMPLE}.")
    if re.search(r"[^\d.,]", s):
        raise AmountError(f"{shown} is not an amount (only digits, commas and one point): {EXAMPLE}.")
    if s.count(".") > 1:
        raise AmountError(f"{shown} has more than one decimal point: {EXAMPLE}.")
    if "," in s and "." in s and s.rfind(",") > s.rfind("."):
        raise AmountError(
            f"{shown} uses a comma for cents: the comma separates thousands and the point cents, {EXAMPLE}."
        )
    if "." in s and len(s.rsplit(".", 1)[1]) > 2:
        raise AmountError(f"{shown} has more than two digits after the point (cents): {EXAMPLE}.")
    if "," in s and not _GROUPED.fullmatch(s):
        if "." not in s and re.fullmatch(r"\d+,\d{1,2}", s):
            raise AmountError(
                f"{shown} is ambiguous: a comma separates thousands (1,200), so cents take a point "
                f"({s.replace(',', '.')}); {EXAMPLE}."
            )
        raise AmountError(f"{shown} has a comma out of place: commas group thousands by three, {EXAMPLE}.")
    if "," not in s and not _PLAIN.fullmatch(s):
        raise AmountError(f"{shown} is not an amount: {EXAMPLE}.")
    value = Decimal(s.replace(",", ""))
    return -value if negative else value


class AmountField(forms.DecimalField):
    """A money input that reads what people type (common.amounts.parse_amount). A text input,
    not <input type=number>: a browser's number input refuses "1,200.00" before Django sees it.
    Validation is all-or-nothing like every form field: a refused amount saves nothing."""

    widget = forms.TextInput

    def __init__(self, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def to_python(self, value):  # type: ignore[no-untyped-def]
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        if isinstance(value, int):
            return Decimal(value)
        try:
            return parse_amount(str(value))
        except AmountError as exc:
            raise ValidationError(str(exc), code="invalid") from exc

    def widget_attrs(self, widget):  # type: ignore[no-untyped-def]
        attrs = super().widget_attrs(widget)
        attrs.setdefault("inputmode", "decimal")  # the number keypad on a tablet, commas allowed
        attrs.setdefault("autocomplete", "off")
        return attrs
