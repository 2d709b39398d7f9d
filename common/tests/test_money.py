from decimal import Decimal

import pytest

from common.money import to_money


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1.005", "1.01"),
        ("1.004", "1.00"),
        ("-1.005", "-1.01"),
        (3, "3.00"),
        (Decimal("2.5"), "2.50"),
        ("0.125", "0.13"),
    ],
)
def test_to_money_rounds_half_up_to_the_cent(raw, expected):
    assert to_money(raw) == Decimal(expected)
    assert to_money(raw).as_tuple().exponent == -2


def test_to_money_refuses_floats():
    with pytest.raises(TypeError, match="never a float"):
        to_money(0.1)  # type: ignore[arg-type]
