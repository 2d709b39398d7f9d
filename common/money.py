"""Money: Decimal only, one rounding rule for the whole system."""

from decimal import ROUND_HALF_UP, Decimal
from functools import partial

from django.db import models

CENT = Decimal("0.01")


def to_money(value: Decimal | int | str) -> Decimal:
    """Round to the cent, half up. The only rounding helper: every amount goes through it."""
    if isinstance(value, float):
        raise TypeError("money is never a float; pass a Decimal, int or str")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


MoneyField = partial(models.DecimalField, max_digits=12, decimal_places=2)
